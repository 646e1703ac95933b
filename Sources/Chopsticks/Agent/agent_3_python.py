# chop agent, part 3 of 6: call (with arguments read as Python literals) and exec. The parts
# are one program, joined in file-name order (see agent_1_core.py).


# ---------------------------------------------------------------- call, exec

def resolve_loaded(parts):
    """The object a dotted name means when its longest loaded module prefix has the rest as
    attributes, else None: the usual case, answered without an import attempt."""
    for i in range(len(parts), 0, -1):
        obj = sys.modules.get('.'.join(parts[:i]))
        if obj is not None:
            for name in parts[i:]:
                obj = getattr(obj, name, None)
                if obj is None:
                    return None
            return obj
    return None


def resolve(dotted):
    """Import the longest importable prefix of a dotted name, then getattr the rest."""
    parts = dotted.split('.')
    if not all(parts):
        raise Failure('ImportError', f'call: invalid function name {dotted!r}')
    loaded = resolve_loaded(parts)
    if loaded is not None:
        return loaded
    for i in range(len(parts), 0, -1):
        modname = '.'.join(parts[:i])
        try:
            obj = importlib.import_module(modname)
            break
        except ImportError as e:
            missing = getattr(e, 'name', None)
            if missing and modname != missing and not modname.startswith(missing + '.'):
                raise   # the module exists, but one of its own imports failed
    else:
        if not hasattr(builtins, parts[0]):   # bare "len", "sorted"... are builtins
            raise Failure('ImportError', f'call: cannot import {dotted}: no module named {parts[0]!r}')
        obj, i = builtins, 0
    for j in range(i, len(parts)):
        if not hasattr(obj, parts[j]):
            owner = '.'.join(parts[:j]) or 'builtins'
            raise Failure('AttributeError', f'call: cannot find {dotted}: {owner} has no attribute {parts[j]!r}')
        obj = getattr(obj, parts[j])
    return obj


JSON_WORDS = {'true': True, 'false': False, 'null': None}
# Words that mean to be a literal: a bracket, a quote, or a number. When one of them does not
# read, that is an error; any other word that does not read is a plain string (/etc/hosts, eth0).
LITERAL_START = r'[\[{(\'"]|[+-]?\.?[0-9]'


def read_literal(text):
    """A call argument as typed: a Python literal read exactly by ast.literal_eval (big ints,
    bytes, tuples, sets), else JSON (true, null inside a list), else the word as a string."""
    if text in JSON_WORDS:
        return JSON_WORDS[text]
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, OverflowError, MemoryError, RecursionError) as e:
        problem = e
    with contextlib.suppress(ValueError, RecursionError):
        return json.loads(text)
    if re.match(LITERAL_START, text):
        reason = getattr(problem, 'msg', None) or str(problem) or type(problem).__name__
        raise Failure('ValueError', f'call: cannot read argument {text!r} as a Python literal: {reason}; '
                                    f'to pass it as a string, quote it: "{text!r}"')
    return text


def call_arguments(params):
    """Positional and keyword arguments: JSON values (args, kwargs), or literal texts
    (args_src, kwargs_src) that read_literal turns into values here, exactly."""
    args = list(param(params, 'args', (list,), []))
    kwargs = dict(param(params, 'kwargs', (dict,), {}))
    for text in param(params, 'args_src', (list,), []):
        args.append(read_literal(str(text)))
    for key, text in param(params, 'kwargs_src', (dict,), {}).items():
        kwargs[key] = read_literal(str(text))
    return args, kwargs


def op_call(req, params):
    name = param(params, 'func', (str,), required=True)
    args, kwargs = call_arguments(params)
    func = resolve(name)
    if not callable(func):
        raise Failure('TypeError', f'call: {name} is not callable ({type(func).__name__})')
    with captured(err=False) as cap:   # a call has no "stderr" field: that stays on fd 2
        try:
            value = func(*args, **kwargs)
        except BaseException as e:   # noqa: BLE001 -- SystemExit too: we must still answer
            raise Failure(type(e).__name__, str(e), user_traceback(e))
    bad = first_bad_type(value)
    if bad:
        raise Failure('TypeError', f'return value of {name}() is not JSON-serialisable ({bad})')
    return {'value': value, 'stdout': ''.join(cap['out'])}


def exec_source(source, filename):
    """Run source in EXEC_NS; if it ends with an expression, return that value."""
    tree = ast.parse(source, filename, 'exec')
    last = None
    if tree.body and isinstance(tree.body[-1], ast.Expr):
        last = ast.Expression(body=tree.body.pop().value)
    exec(compile(tree, filename, 'exec', dont_inherit=True), EXEC_NS)  # noqa: S102 -- the point of exec
    if last is not None:
        return eval(compile(last, filename, 'eval', dont_inherit=True), EXEC_NS)
    return None


def op_exec(req, params):
    source = param(params, 'source', (str,), required=True)
    filename = f'<chop-exec-{next(EXEC_COUNTER)}>'
    # Registering the source lets tracebacks show the user's lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    with captured() as cap:
        try:
            value = exec_source(source, filename)
        except BaseException as e:   # noqa: BLE001 -- SystemExit too: we must still answer
            tb = (''.join(traceback.format_exception_only(type(e), e))
                  if isinstance(e, SyntaxError) else user_traceback(e))
            raise Failure(type(e).__name__, str(e), tb)
    result = {'value': None, 'repr': None, 'stdout': ''.join(cap['out']),
              'stderr': ''.join(cap['err'])}
    if value is not None and first_bad_type(value):
        result['repr'] = repr(value)
    elif value is not None:
        result['value'] = value
    return result
