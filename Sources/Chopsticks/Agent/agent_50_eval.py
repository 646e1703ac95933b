# chop agent part 50, eval: one expression and its truth (for `where`). The parts are one
# program, joined in file-name order (see agent_10_core.py).


# ---------------------------------------------------------------- eval

def free_names(tree):
    """The names an expression reads without binding them itself (comprehension variables,
    lambda parameters and := targets are bound inside it)."""
    bound, read = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if isinstance(node.ctx, ast.Load):
                read.append(node.id)
            else:
                bound.add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return [name for name in read if name not in bound]


def auto_imports(names):
    """Modules for the names an expression reads that neither the exec namespace nor builtins
    define: `where os.path.exists('/etc/nginx')` needs no `py import os` first. A name that is
    no module stays unknown (Python's NameError says so); a module that fails on import of its
    own raises that error."""
    modules = {}
    for name in names:
        if name in EXEC_NS or name in modules or hasattr(builtins, name):
            continue
        try:
            modules[name] = importlib.import_module(name)
        except ImportError as e:
            if getattr(e, 'name', None) != name:
                raise
    return modules


@handles('eval')
def op_eval(req, params):
    ensure_site()
    source = param(params, 'expr', (str,), required=True)
    filename = f'<chop-eval-{next(EXEC_COUNTER)}>'
    try:
        tree = ast.parse(source.strip(), filename, 'eval')
    except SyntaxError as e:
        where = f' (column {e.offset})' if e.offset else ''
        raise Failure('SyntaxError', f'not a Python expression: {e.msg}{where}',
                      ''.join(traceback.format_exception_only(type(e), e)))
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    with captured() as cap:
        try:
            modules = auto_imports(free_names(tree))
            # The shared namespace itself, unless a module had to be imported: then a copy with it,
            # so `where` never adds names that later `py` lines would see.
            namespace = dict(EXEC_NS, **modules) if modules else EXEC_NS
            value = eval(compile(tree, filename, 'eval', dont_inherit=True), namespace)
            truth = bool(value)
        except BaseException as e:   # noqa: BLE001 -- SystemExit too: we must still answer
            raise Failure(type(e).__name__, str(e), user_traceback(e))
    result = {'value': None, 'repr': None, 'truth': truth, 'stdout': ''.join(cap['out']),
              'stderr': ''.join(cap['err'])}
    if value is not None and first_bad_type(value):
        result['repr'] = repr(value)
    else:
        result['value'] = value
    return result
