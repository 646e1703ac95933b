# chop agent part 30, python: call (with arguments read as Python literals), exec, where their prints go, and
# the import hook for the user's shipped modules. The parts are one program, joined in file-name order
# (see agent_10_core.py).


# ---------------------------------------------------------------- prints of the user's code

class CaptureStream:
    """Replaces sys.stdout/sys.stderr: what a thread serving call/exec prints goes to
    that request's buffer; everything else goes to fd 2, never to the protocol."""

    encoding, errors, closed = 'utf-8', 'replace', False

    def __init__(self, which, fd):
        self.which, self.fd = which, fd
        self.buffer = self   # sys.stdout.buffer.write(b'...') lands in write() too

    def write(self, text):
        if isinstance(text, (bytes, bytearray, memoryview)):
            text = bytes(text).decode('utf-8', 'replace')
        cap = CAPTURES.get(_thread.get_ident())
        sink = cap[self.which] if cap else None
        if sink is not None:
            sink.append(text)
        else:
            with suppress(OSError):
                write_all(2, text.encode('utf-8', 'replace'))
        return len(text)

    def writelines(self, lines):
        for line in lines:
            self.write(line)

    def flush(self):
        pass

    def isatty(self):
        return False

    def writable(self):
        return True

    def fileno(self):
        return self.fd


class captured:   # a context manager, named as contextlib would name it
    """Route this thread's prints into lists; a None list means 'to fd 2'."""

    def __init__(self, out=True, err=True):
        self.cap = {'out': [] if out else None, 'err': [] if err else None}

    def __enter__(self):
        CAPTURES[_thread.get_ident()] = self.cap
        return self.cap

    def __exit__(self, kind, value, tb):
        CAPTURES.pop(_thread.get_ident(), None)


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


SITE_LOCK = _thread.allocate_lock()
SITE_DONE = []   # site.main() ran (see ensure_site)


def ensure_site():
    """Python starts with -S: `site` (the site-packages folders, .pth files, sitecustomize, and builtins such
    as exit) is about 9 ms of every host's start, and most connects only run commands and move files. Code of
    the user's (call, exec, eval, shipped modules) may import what site adds (Debian's dist-packages, a
    venv's packages), so the first request that runs such code runs site.main(), once, as Python would have."""
    if SITE_DONE or not sys.flags.no_site:
        return
    with SITE_LOCK:
        if not SITE_DONE:
            import site
            site.main()
            SITE_DONE.append(True)


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
    with suppress(ValueError, RecursionError):
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


@handles('call')
def op_call(req, params):
    ensure_site()
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


@handles('exec')
def op_exec(req, params):
    ensure_site()
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


# ---------------------------------------------------------------- shipped modules (import)

SHIP_PREFIX = '/<chop-shipped>/'   # __file__ of shipped code: no real path on this host


class Shipped:
    """The user's own modules, which chop serves on demand.

    `ship` names the top-level modules and packages chop has; a finder at the end of
    sys.meta_path (so the host's own modules win) asks chop with a WANT frame for any module
    under those names that the host does not have, and for data files of shipped packages
    (pkgutil.get_data). The answer arrives as SHIPPED with the same id. Each module is asked for
    once per connection; a reload forgets it first."""

    def __init__(self):
        self.roots = set()
        self.cache = {}     # module name -> its answer, or None when chop has no such module
        self.waiting = {}   # WANT id -> [event, answer]
        self.lock = _thread.allocate_lock()
        self.asking = _thread.allocate_lock()   # one WANT at a time: chop fails a host that asks again before its answer
        self.ids = itertools.count(1)
        self.installed = False

    def ask(self, query):
        """chop's answer to a WANT: {'found': bool, ...}."""
        READER.move_now()   # the answer is read by another thread while this one waits
        slot = [threading.Event(), None]
        with self.asking:
            with self.lock:
                wid = next(self.ids)
                self.waiting[wid] = slot
            send(WANT, wid, to_json(query))
            answered = slot[0].wait(60)
        if not answered:
            with self.lock:
                self.waiting.pop(wid, None)
            raise ImportError(f'chop: no answer for {query} within 60 s')
        return slot[1]

    def answer(self, wid, payload):
        """Called by the reader with a SHIPPED frame."""
        with self.lock:
            slot = self.waiting.pop(wid, None)
        if slot is not None:
            try:
                slot[1] = json.loads(payload.decode('utf-8'))
            except ValueError:
                slot[1] = {'found': False, 'msg': 'unreadable answer from chop'}
            slot[0].set()

    def module(self, name):
        with self.lock:
            if name in self.cache:
                return self.cache[name]
        reply = self.ask({'module': name})
        found = reply if reply.get('found') else None
        with self.lock:
            self.cache[name] = found
        return found

    def forget(self, name):
        with self.lock:
            for known in [n for n in self.cache if n == name or n.startswith(name + '.')]:
                del self.cache[known]

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition('.')[0] not in self.roots:
            return None
        info = self.module(fullname)
        if info is None:
            return None
        origin = SHIP_PREFIX + info['file']
        spec = importlib.machinery.ModuleSpec(fullname, ShippedLoader(info, origin), origin=origin,
                                              is_package=info['package'])
        spec.has_location = True   # sets __file__, which pkgutil.get_data starts from
        if info['package']:
            spec.submodule_search_locations = [origin.rsplit('/', 1)[0]]
        return spec

    def invalidate_caches(self):
        pass


class ShippedLoader:
    def __init__(self, info, origin):
        self.source, self.origin = base64.b64decode(info['source']), origin

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        text = self.source.decode('utf-8', 'replace')
        linecache.cache[self.origin] = (len(text), None, text.splitlines(True), self.origin)
        exec(compile(self.source, self.origin, 'exec', dont_inherit=True), module.__dict__)  # noqa: S102

    def get_source(self, fullname):
        return self.source.decode('utf-8', 'replace')

    def get_data(self, path):
        if not path.startswith(SHIP_PREFIX):
            raise OSError(2, 'not a shipped file', path)
        reply = SHIPPED_CODE.ask({'data': path[len(SHIP_PREFIX):]})
        if not reply.get('found'):
            raise OSError(2, reply.get('msg') or 'chop has no such file', path)
        return base64.b64decode(reply['data'])


SHIPPED_CODE = Shipped()


@handles('ship')
def op_ship(req, params):
    ensure_site()
    roots = param(params, 'roots', (list,), required=True)
    reload = param(params, 'reload', (list,), [])
    if not (all(isinstance(name, str) and name.isidentifier() for name in roots)
            and all(isinstance(name, str) and all(part.isidentifier() for part in name.split('.'))
                    for name in reload)):
        raise Failure('ValueError', 'ship: roots and reload must be module names')
    with SHIPPED_CODE.lock:
        SHIPPED_CODE.roots.update(roots)
        install = not SHIPPED_CODE.installed
        SHIPPED_CODE.installed = True
    if install:
        __import__('importlib.machinery')   # before the finder is first asked
        sys.meta_path.append(SHIPPED_CODE)
    reloaded = []
    for name in reload:
        SHIPPED_CODE.forget(name)
        module = sys.modules.get(name)
        if module is not None:
            with captured():
                try:
                    importlib.reload(module)
                except BaseException as e:   # noqa: BLE001 -- the user's module failed
                    raise Failure(type(e).__name__, str(e), user_traceback(e))
            reloaded.append(name)
    return {'roots': sorted(SHIPPED_CODE.roots), 'reloaded': reloaded}
