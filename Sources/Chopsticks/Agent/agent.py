"""chop remote agent, wire protocol version 1 (PROTOCOL.txt beside this file is the spec).

The controller runs ``python3 -c STUB N`` on a host, writes this file's N bytes to its
stdin, then exchanges frames over stdin/stdout:

    u32 length (= 5 + len(payload)) | u8 op | u32 request id | payload

controller -> agent: REQ {"op": name, ...}, DATA (put bytes), END {"sha1", "size"}, CANCEL
agent -> controller: HELLO (id 0, once), OK (JSON result), ERR {"type", "msg", "tb"},
                     DATA (fetch bytes)

Every request ends with exactly one OK or ERR. Each request runs in its own thread,
except put: its DATA/END frames are handled by the reader thread, so file bytes are
written in order and a slow disk slows the sender down instead of piling up in memory.

Stdlib only, Python 3.6 syntax: this has to run on whatever python3 a host has.
"""

import ast
import base64
import builtins
import contextlib
import hashlib
import importlib
import itertools
import json
import linecache
import os
import platform
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback

REQ, OK, ERR, DATA, END, CANCEL, HELLO = range(1, 8)
HEADER = struct.Struct('>IBI')
MAX_FRAME = 16 * 1024 * 1024 + 5
DEFAULT_CAP = 1048576
DEFAULT_CHUNK = 262144

IN_FD, OUT_FD = 0, 1             # main() replaces these with private duplicates
WRITE_LOCK = threading.Lock()    # held for a whole frame, so frames never interleave
ACTIVE = {}                      # request id -> Request that has not answered yet
ACTIVE_LOCK = threading.Lock()
UPLOADS = {}                     # request id -> Upload; used by the reader thread only
CAPTURES = {}                    # thread ident -> {'out': list | None, 'err': list | None}
EXEC_NS = {'__name__': '__chop__'}   # one namespace shared by every exec request
EXEC_COUNTER = itertools.count(1)


class Failure(Exception):
    """An error reported as is: a clear message and no agent traceback."""

    def __init__(self, type_name, msg, tb=None):
        Exception.__init__(self, msg)
        self.payload = {'type': type_name, 'msg': msg, 'tb': tb}


def protocol_error(msg):
    return Failure('ProtocolError', msg)


def os_error(op, what, path, e):
    """Keep the OSError's class name but say what failed: 'fetch: cannot open /x: ...'."""
    return Failure(type(e).__name__, f'{op}: cannot {what} {path}: {e.strerror or e}')


# ---------------------------------------------------------------- framing

def write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def send(op, rid, payload=b''):
    try:
        with WRITE_LOCK:
            write_all(OUT_FD, HEADER.pack(5 + len(payload), op, rid))
            if payload:
                write_all(OUT_FD, payload)
    except OSError:
        shutdown(0, 'chop agent: controller went away')


def to_json(obj):
    # NaN and Infinity go out as Python's json writes them (NaN, Infinity, -Infinity): the
    # controller reads them. A lone surrogate (from an undecodable file name, say) would make
    # the whole frame invalid UTF-8: it becomes '?'.
    return json.dumps(obj, ensure_ascii=False).encode('utf-8', 'replace')


def read_exact(n):
    buf = bytearray()
    while len(buf) < n:
        chunk = os.read(IN_FD, min(n - len(buf), 1 << 20))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)


class Request:
    """One request id: sends a single terminal frame, and knows how to cancel itself."""

    def __init__(self, rid, op):
        self.id, self.op = rid, op
        self.lock = threading.Lock()
        self.done = self.cancelled = False
        self.proc = None      # run: its Popen, so CANCEL and EOF can kill its process group
        self.cleanup = None   # put: deletes the temp file

    def data(self, chunk):
        """Send a DATA frame unless the request has ended (been cancelled)."""
        with self.lock:
            if not self.done:
                send(DATA, self.id, chunk)
            return not self.done

    def finish(self, op, obj):
        with self.lock:
            if self.done:
                return
            self.done = True
            with ACTIVE_LOCK:   # free the id first: the controller may reuse it at once
                ACTIVE.pop(self.id, None)
            try:
                payload = to_json(obj)
            except (TypeError, ValueError) as e:
                op, payload = ERR, to_json({'type': type(e).__name__, 'msg': str(e), 'tb': None})
            send(op, self.id, payload)

    def cancel(self):
        with self.lock:   # op_run looks at `cancelled` under this lock before it starts
            self.cancelled = True
        kill_group(self.proc)
        if self.cleanup:
            self.cleanup()
        self.finish(ERR, {'type': 'Cancelled', 'msg': f'{self.op} cancelled', 'tb': None})


def kill_group(proc):
    if proc is not None:
        with contextlib.suppress(OSError):   # already gone
            os.killpg(proc.pid, signal.SIGKILL)


def shutdown(status, msg=None):
    """Kill every process group we started, delete unfinished uploads, exit at once."""
    if msg:
        with contextlib.suppress(OSError):
            write_all(2, msg.encode('utf-8', 'replace') + b'\n')
    # No lock: this may run in a signal handler that interrupted a lock holder.
    for req in list(ACTIVE.values()):
        kill_group(req.proc)
        if req.cleanup:
            req.cleanup()
    os._exit(status)


def param(params, name, types, default=None, required=False):
    value = params.get(name, default)
    if value is None:
        if required:
            raise protocol_error(f"{params['op']}: missing required parameter {name!r}")
        return None
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise protocol_error(f"{params['op']}: parameter {name!r} has the wrong type "
                             f'({type(value).__name__})')
    return value


# ---------------------------------------------------------------- print capture

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
        cap = CAPTURES.get(threading.get_ident())
        sink = cap[self.which] if cap else None
        if sink is not None:
            sink.append(text)
        else:
            with contextlib.suppress(OSError):
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


@contextlib.contextmanager
def captured(out=True, err=True):
    """Route this thread's prints into lists; a None list means 'to fd 2'."""
    cap = {'out': [] if out else None, 'err': [] if err else None}
    CAPTURES[threading.get_ident()] = cap
    try:
        yield cap
    finally:
        CAPTURES.pop(threading.get_ident(), None)


# ---------------------------------------------------------------- JSON helpers

def first_bad_type(value, seen=None):
    """What in value JSON cannot carry (a type name), or None if it all can."""
    if value is None or isinstance(value, (bool, int, str)):
        return None
    if isinstance(value, float):
        return None
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 'circular reference'
    seen.add(id(value))
    if isinstance(value, (list, tuple)):
        items = value
    elif isinstance(value, dict):
        for key in value:
            if key is not None and not isinstance(key, (str, int, float, bool)):
                return f'dict key of type {type(key).__name__}'
        items = value.values()
    else:
        return type(value).__name__
    for item in items:
        bad = first_bad_type(item, seen)
        if bad:
            return bad
    return None


def user_traceback(exc):
    """The traceback of exc without the agent's own frames on top.

    The header stays even when no frame is left (an exception raised inside a C function
    called directly, such as operator.truediv), so it reads as Python's own traceback."""
    tb = exc.__traceback__
    while tb and tb.tb_frame.f_code.co_filename == user_traceback.__code__.co_filename:
        tb = tb.tb_next
    lines = traceback.format_exception(type(exc), exc, tb)
    header = 'Traceback (most recent call last):\n'
    if tb is None:
        # format_exception writes the header only when a frame is left; any chained
        # exceptions come first in `lines`, the last exception's own text after them.
        last = traceback.format_exception_only(type(exc), exc)
        lines = lines[:len(lines) - len(last)] + [header] + last
    return ''.join(lines)


# ---------------------------------------------------------------- ping, run

def op_ping(req, params):
    return {'time': time.time()}


def spawn(func, *args):
    thread = threading.Thread(target=func, args=args)
    thread.daemon = True
    thread.start()
    return thread


def feed_stdin(pipe, data):
    with contextlib.suppress(OSError):   # the command may exit without reading it all
        pipe.write(data)
    with contextlib.suppress(OSError):
        pipe.close()


class Drain:
    """Reads a pipe to EOF in a thread and keeps the first cap bytes."""

    def __init__(self, pipe, cap):
        self.pipe, self.cap = pipe, cap
        self.kept = bytearray()
        self.truncated = False
        self.thread = spawn(self.loop)

    def loop(self):
        while True:
            chunk = os.read(self.pipe.fileno(), 65536)
            if not chunk:
                break
            room = self.cap - len(self.kept)
            if room > 0:
                self.kept += chunk[:room]
            if len(chunk) > room:
                self.truncated = True   # but keep reading, or the command would block
        self.pipe.close()


def op_run(req, params):
    cmd = param(params, 'cmd', (str,), required=True)
    stdin = param(params, 'stdin_b64', (str,))
    timeout = param(params, 'timeout', (int, float))
    env_updates = param(params, 'env', (dict,), {})
    cwd = param(params, 'cwd', (str,))
    cap = param(params, 'cap', (int,), DEFAULT_CAP)
    if timeout is not None and timeout <= 0:
        raise protocol_error(f'run: timeout must be > 0, got {timeout!r}')
    if cwd is not None:
        cwd = os.path.expanduser(cwd)
        if not os.path.isdir(cwd):
            raise Failure('FileNotFoundError', f'run: cwd does not exist or is not a directory: {cwd}')
    env = dict(os.environ)
    for key, value in env_updates.items():
        if value is None:
            env.pop(key, None)   # null unsets a variable
        else:
            env[key] = str(value)
    try:
        stdin_bytes = None if stdin is None else base64.b64decode(stdin)
    except ValueError as e:
        raise protocol_error(f'run: stdin_b64 is not valid base64: {e}')

    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    with req.lock:
        if req.cancelled:
            return None
        try:
            proc = subprocess.Popen(
                ['/bin/sh', '-c', cmd], cwd=cwd, env=env, start_new_session=True,
                stdin=subprocess.DEVNULL if stdin_bytes is None else subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as e:
            raise os_error('run', 'start', '/bin/sh', e)
        req.proc = proc
    if stdin_bytes is not None:
        spawn(feed_stdin, proc.stdin, stdin_bytes)
    out, err = Drain(proc.stdout, cap), Drain(proc.stderr, cap)

    def remaining():
        return None if deadline is None else max(0, deadline - time.monotonic())

    timed_out = False
    try:
        proc.wait(timeout=remaining())
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_group(proc)
        proc.wait()
    # Background children may hold the pipes open after sh exits: they get the same
    # deadline, and anything that outlives a group kill (setsid) is not waited for.
    for drain in (out, err):
        drain.thread.join(remaining())
        if drain.thread.is_alive():
            timed_out = True
            kill_group(proc)
            drain.thread.join(1.0)
    rc = proc.returncode
    return {
        'status': rc if rc >= 0 else None,
        'signal': -rc if rc < 0 else None,
        'stdout_b64': base64.b64encode(bytes(out.kept)).decode('ascii'),
        'stderr_b64': base64.b64encode(bytes(err.kept)).decode('ascii'),
        'stdout_truncated': out.truncated,
        'stderr_truncated': err.truncated,
        'timed_out': timed_out,
        'duration': time.monotonic() - start,
    }


# ---------------------------------------------------------------- call, exec

def resolve(dotted):
    """Import the longest importable prefix of a dotted name, then getattr the rest."""
    parts = dotted.split('.')
    if not all(parts):
        raise Failure('ImportError', f'call: invalid function name {dotted!r}')
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
LITERAL_START = re.compile(r'[\[{(\'"]|[+-]?\.?[0-9]')


def read_literal(text):
    """A call argument as typed: a Python literal read exactly by ast.literal_eval (big ints,
    bytes, tuples, sets), else JSON (true, null inside a list), else the word as a string."""
    if text in JSON_WORDS:
        return JSON_WORDS[text]
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as e:
        problem = e
    with contextlib.suppress(ValueError, RecursionError):
        return json.loads(text)
    if LITERAL_START.match(text):
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


# ---------------------------------------------------------------- facts

def read_text(path):
    with open(path, 'rb') as f:
        return f.read().decode('utf-8', 'replace')


def is_ipv4(text):
    parts = text.split('.')
    return len(parts) == 4 and all(p.isdigit() and int(p) < 256 for p in parts)


def ips_from_hostname_cmd():
    try:
        proc = subprocess.Popen(['hostname', '-I'], stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = proc.communicate(timeout=5)[0]
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [w for w in out.decode('ascii', 'replace').split() if is_ipv4(w)]


def ips_from_fib_trie():
    # A local address is a "|-- 10.1.2.3" line followed by a "/32 host LOCAL" line.
    try:
        lines = [line.strip() for line in read_text('/proc/net/fib_trie').splitlines()]
    except OSError:
        return []
    return [lines[i][4:] for i in range(len(lines) - 1)
            if lines[i].startswith('|-- ') and 'host LOCAL' in lines[i + 1]
            and is_ipv4(lines[i][4:])]


def fact_ip():
    # Local lookups only: never a packet to anywhere (no UDP-connect trick).
    try:
        ip = socket.gethostbyname(socket.gethostname())
    except OSError:
        ip = None
    if ip and not ip.startswith('127.'):
        return ip
    for candidate in ips_from_hostname_cmd() + ips_from_fib_trie():
        if not candidate.startswith('127.'):
            return candidate
    return ip or '127.0.0.1'


def parse_os_release(text):
    values = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition('=')
        if not sep or key.startswith('#'):
            continue
        value = value.strip()
        quote = value[:1]
        if quote in ('"', "'") and len(value) >= 2 and value.endswith(quote):
            value = value[1:-1]
            if quote == '"':   # shell-style escapes are allowed inside double quotes
                value = re.sub(r'\\([\\"$`])', r'\1', value)
        values[key.strip()] = value
    return values


def fact_os():
    values = {}
    for path in ('/etc/os-release', '/usr/lib/os-release'):
        if os.path.exists(path):
            values = parse_os_release(read_text(path))
            break
    return {'id': values.get('ID'), 'name': values.get('NAME'),
            'version_id': values.get('VERSION_ID'), 'pretty_name': values.get('PRETTY_NAME')}


def fact_memory():
    info = {}
    for line in read_text('/proc/meminfo').splitlines():
        fields = line.replace(':', ' ').split()
        if len(fields) >= 2 and fields[1].isdigit():
            info[fields[0]] = int(fields[1]) * 1024   # "kB" there means KiB
    available = info.get('MemAvailable')
    if available is None:   # kernels before 3.14
        available = sum(info.get(k, 0) for k in ('MemFree', 'Buffers', 'Cached'))
    return {'total': info['MemTotal'], 'available': available}


def fact_disk():
    st = os.statvfs('/')
    return {'path': '/', 'total': st.f_blocks * st.f_frsize,
            'used': (st.f_blocks - st.f_bfree) * st.f_frsize, 'free': st.f_bavail * st.f_frsize}


FACTS = [
    ('hostname', socket.gethostname),
    ('fqdn', socket.getfqdn),
    ('ip', fact_ip),
    ('os', fact_os),
    ('kernel', platform.release),
    ('arch', platform.machine),
    ('python_version', platform.python_version),
    ('uptime', lambda: float(read_text('/proc/uptime').split()[0])),
    ('loadavg', lambda: [float(x) for x in os.getloadavg()]),
    ('cpus', os.cpu_count),
    ('memory', fact_memory),
    ('disk', fact_disk),
]


def op_facts(req, params):
    known = [name for name, _ in FACTS]
    names = param(params, 'names', (list,))
    names = known if names is None else names
    unknown = [str(n) for n in names if n not in known]
    if unknown:
        raise Failure('ValueError', f"facts: unknown fact(s) {', '.join(unknown)}; "
                                    f"known facts: {', '.join(known)}")
    facts, errors = {}, {}
    for name, func in FACTS:
        if name in names:
            try:
                facts[name] = func()
            except Exception as e:   # noqa: BLE001 -- one broken fact must not spoil the rest
                facts[name] = None
                errors[name] = f'{type(e).__name__}: {e}'
    return {'facts': facts, 'errors': errors}


# ---------------------------------------------------------------- put, fetch

class Upload:
    """A put in progress: DATA goes to a temp file, END checks it and renames it into place."""

    def __init__(self, req, params):
        path = param(params, 'path', (str,))
        self.mode = param(params, 'mode', (int,))
        self.size = param(params, 'size', (int,))
        self.req, self.target, self.fd = req, None, None
        if path is None:
            self.fd, self.tmp = tempfile.mkstemp(prefix='chop-')
        else:
            self.target = os.path.abspath(os.path.expanduser(path))
            if os.path.isdir(self.target):
                raise Failure('IsADirectoryError', f'put: {self.target} is a directory')
            directory, name = os.path.split(self.target)
            if not os.path.isdir(directory):
                raise Failure('FileNotFoundError', f'put: directory does not exist: {directory}')
            try:
                self.fd, self.tmp = tempfile.mkstemp(prefix=f'.{name}.chop-', dir=directory)
            except OSError as e:
                raise os_error('put', 'create a file in', directory, e)
            if self.mode is None:
                self.mode = 0o644
        self.tmp = os.path.abspath(self.tmp)
        self.sha1, self.received = hashlib.sha1(), 0
        req.cleanup = self.discard

    def discard(self):
        UPLOADS.pop(self.req.id, None)
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        with contextlib.suppress(OSError):
            os.unlink(self.tmp)

    def fail(self, failure):
        self.discard()
        self.req.finish(ERR, failure.payload)

    def data(self, chunk):
        try:
            write_all(self.fd, chunk)
        except OSError as e:
            return self.fail(os_error('put', 'write', self.target or self.tmp, e))
        self.sha1.update(chunk)
        self.received += len(chunk)
        return None

    def end(self, payload):
        try:
            expect = json.loads(payload.decode('utf-8'))
            want_sha1, want_size = str(expect['sha1']).lower(), expect['size']
        except (ValueError, KeyError, TypeError):
            return self.fail(protocol_error('put: END payload must be {"sha1": hex, "size": int}'))
        got_sha1, path = self.sha1.hexdigest(), self.target or self.tmp
        if got_sha1 != want_sha1 or want_size != self.received or self.size not in (None, self.received):
            return self.fail(Failure('ChecksumError', (
                f'checksum mismatch for {path}: expected sha1 {want_sha1} and {want_size} bytes, '
                f'received sha1 {got_sha1} and {self.received} bytes')))
        try:
            if self.mode is not None:
                os.fchmod(self.fd, self.mode)
            os.close(self.fd)
            self.fd = None
            if self.target:
                os.rename(self.tmp, self.target)
        except OSError as e:
            return self.fail(os_error('put', 'install', path, e))
        UPLOADS.pop(self.req.id, None)
        self.req.cleanup = None
        self.req.finish(OK, {'remote_path': path, 'size': self.received, 'sha1sum': got_sha1})
        return None


def start_put(req, params):
    try:
        UPLOADS[req.id] = Upload(req, params)
    except Failure as e:
        req.finish(ERR, e.payload)   # later DATA/END for this id find no upload: ignored
    except OSError as e:
        req.finish(ERR, os_error('put', 'create', 'a temporary file', e).payload)


def op_fetch(req, params):
    path = os.path.abspath(os.path.expanduser(param(params, 'path', (str,), required=True)))
    chunk_size = min(max(1, param(params, 'chunk', (int,), DEFAULT_CHUNK)), MAX_FRAME - 5)
    sha1, size = hashlib.sha1(), 0
    try:
        with open(path, 'rb') as f:
            for chunk in iter(lambda: f.read(chunk_size), b''):
                if not req.data(chunk):
                    return None   # cancelled
                sha1.update(chunk)
                size += len(chunk)
    except OSError as e:
        raise os_error('fetch', 'read', path, e)
    return {'remote_path': path, 'size': size, 'sha1sum': sha1.hexdigest()}


HANDLERS = {'ping': op_ping, 'run': op_run, 'call': op_call, 'exec': op_exec,
            'facts': op_facts, 'fetch': op_fetch}


# ---------------------------------------------------------------- main loop

def serve(req, params, handler):
    try:
        result = handler(req, params)
    except Failure as e:
        req.finish(ERR, e.payload)
    except BaseException as e:   # noqa: BLE001 -- an agent bug or an unchecked bad parameter
        req.finish(ERR, {'type': type(e).__name__, 'msg': str(e), 'tb': traceback.format_exc()})
    else:
        if result is not None:   # None: the request was cancelled and has answered
            req.finish(OK, result)


def handle_request(rid, payload):
    try:
        params = json.loads(payload.decode('utf-8'))
    except ValueError as e:
        return send(ERR, rid, to_json(protocol_error(f'invalid REQ JSON: {e}').payload))
    op = params.get('op') if isinstance(params, dict) else None
    if op != 'put' and op not in HANDLERS:
        msg = f"unknown op {op!r}; known ops: {', '.join(sorted(HANDLERS))}, put"
        return send(ERR, rid, to_json(protocol_error(msg).payload))
    with ACTIVE_LOCK:
        if rid in ACTIVE:
            sys.stderr.write(f'chop agent: ignoring REQ for busy id {rid}\n')
            return None
        req = ACTIVE[rid] = Request(rid, op)
    if op == 'put':
        start_put(req, params)   # here, not in a thread, so its DATA finds the file open
    else:
        spawn(serve, req, params, HANDLERS[op])
    return None


def reader_loop():
    while True:
        header = read_exact(HEADER.size)
        if header is None:
            shutdown(0)
        length, op, rid = HEADER.unpack(header)
        if length < 5 or length > MAX_FRAME:
            shutdown(5, f'chop agent: bad frame length {length} (must be 5..{MAX_FRAME})')
        payload = read_exact(length - 5)
        if payload is None:
            shutdown(0, 'chop agent: input ended inside a frame')
        upload = UPLOADS.get(rid)
        if op == REQ:
            handle_request(rid, payload)
        elif op == DATA and upload:   # DATA/END for unknown or failed ids are ignored
            upload.data(payload)
        elif op == END and upload:
            upload.end(payload)
        elif op == CANCEL:
            req = ACTIVE.get(rid)   # finished or unknown ids: nothing to cancel
            if req:
                req.cancel()
        elif op not in (DATA, END):
            sys.stderr.write(f'chop agent: ignoring frame with op {op}\n')


def on_signal(signum, frame):
    shutdown(0)


def main():
    global IN_FD, OUT_FD
    # Keep the protocol on private fds and make fds 0 and 1 harmless, so children
    # and C code writing to "stdout" can never corrupt a frame.
    IN_FD, OUT_FD = os.dup(0), os.dup(1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    try:
        os.dup2(2, 1)
    except OSError:   # no fd 2 at all
        os.dup2(null, 1)
    if null > 2:
        os.close(null)
    sys.stdout, sys.stderr = CaptureStream('out', 1), CaptureStream('err', 2)
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, on_signal)
    send(HELLO, 0, to_json({'agent': 1, 'python': platform.python_version(),
                            'executable': sys.executable or '', 'pid': os.getpid(),
                            'hostname': socket.gethostname(),
                            'facts': [name for name, _ in FACTS]}))
    reader_loop()


if __name__ in ('__main__', '__chop_agent__'):
    main()
