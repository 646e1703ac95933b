"""chop remote agent, wire protocol version 1 (PROTOCOL.txt beside this file is the spec).

The controller runs ``python3 -c STUB N`` on a host, writes the agent's N bytes to its
stdin, then exchanges frames over stdin/stdout. The agent is one program kept in parts,
agent_NN_name.py, from agent_10_core.py (this one) to agent_90_main.py, sent as one source: the files joined
in file-name order with a blank line between them (Bootstrap.agentSource in Swift; how to add a part: the top
of PROTOCOL.txt). Each part registers its own ops in HANDLERS with @handles.

    u32 length (= 5 + len(payload)) | u8 op | u32 request id | payload

controller -> agent: REQ {"op": name, ...}, DATA (put bytes), END {"sha1", "size"}, CANCEL,
                     SHIPPED (the answer to a WANT)
agent -> controller: HELLO (id 0, once), OK (JSON result), ERR {"type", "msg", "tb"},
                     DATA (fetch bytes), WANT (a shipped module or data file, with an id of
                     the agent's own; see agent_30_python.py)

Every request ends with exactly one OK or ERR. The thread that reads a request serves it; one
that takes longer than 10 ms moves reading to a new thread, which serves the requests after it
the same way, while the old one finishes its request and stops (see ReaderRole). Put is the exception: its
DATA/END frames are always handled by the reader, so file bytes are written in order and a
slow disk slows the sender down instead of piling up in memory.

Stdlib only, Python 3.6 syntax: this has to run on whatever python3 a host has.
"""

# _signal, not signal: signal.py imports enum at every start, for names the agent does not need.
import _signal as signal
import _thread
import itertools
import os
import struct
import sys
import time


class Lazy:
    """A stdlib module imported when first used. Most agents never need most of them, and
    importing them all at start made the agent start in four times what `python3 -c pass`
    takes, which a fleet pays once per host on every connect."""

    def __init__(self, name):
        self.name = name

    def __getattr__(self, attr):
        module = __import__(self.name)
        globals()[self.name] = module   # later uses find the module itself
        return getattr(module, attr)


def json_codec():
    """json.loads and json.dumps(ensure_ascii=False) straight from the C accelerator the json module uses
    itself, without importing json (and with it re and enum): most of the agent's start-up after Python's
    own. Any surprise (no _json, another signature, a different answer) falls back to the json module."""
    try:
        import _json

        class Context:   # what json.scanner reads from a JSONDecoder
            strict, object_hook, object_pairs_hook, memo = True, None, None, {}
            parse_float, parse_int = float, int
            parse_constant = {'NaN': float('nan'), 'Infinity': float('inf'),
                              '-Infinity': float('-inf')}.__getitem__

        scan = _json.make_scanner(Context())

        def default(o):
            raise TypeError(f'Object of type {type(o).__name__} is not JSON serializable')

        class Codec:
            @staticmethod
            def loads(text):
                stripped = text.strip(' \t\n\r')
                try:
                    value, end = scan(stripped, 0)
                except StopIteration as e:
                    raise ValueError(f'Expecting value: char {e.value}') from None
                except SystemError:
                    # The scanner words its errors with json.decoder, which it only finds once imported
                    # (3.11 fails without it): bad JSON is rare, so let the module say what is wrong.
                    import json as module
                    return module.loads(text)
                if end != len(stripped):
                    raise ValueError(f'Extra data: char {end}')
                return value

            @staticmethod
            def dumps(obj, ensure_ascii=False):
                # As json.dumps does: a fresh encoder (its markers catch circular values), NaN allowed.
                encode = _json.make_encoder({}, default, _json.encode_basestring, None, ': ', ', ', False,
                                            False, True)
                return ''.join(encode(obj, 0))

        probe = {'a': [1, 2.5, None, True, 'é', float('inf')], 'b': 2 ** 70}
        if Codec.dumps(probe) != '{"a": [1, 2.5, null, true, "é", Infinity], "b": 1180591620717411303424}' \
                or Codec.loads(Codec.dumps(probe)) != probe:
            raise ValueError('unexpected')
        return Codec
    except Exception:   # noqa: BLE001 -- whatever it is, the json module does the job
        import json as module
        return module


json = json_codec()

# threading too (with functools and collections, 5 ms of a start): the agent's own threads and locks are _thread's.
ast, base64, binascii, builtins, hashlib, importlib, linecache, platform, queue, re, select, socket, \
    subprocess, tempfile, threading, traceback = map(Lazy, [
        'ast', 'base64', 'binascii', 'builtins', 'hashlib', 'importlib', 'linecache', 'platform', 'queue', 're',
        'select', 'socket', 'subprocess', 'tempfile', 'threading', 'traceback'])
MAIN_THREAD = _thread.get_ident()


class suppress:   # contextlib.suppress, without importing contextlib (collections, functools)
    def __init__(self, *kinds):
        self.kinds = kinds

    def __enter__(self):
        return self

    def __exit__(self, kind, value, tb):
        return kind is not None and issubclass(kind, self.kinds)


def import_threading():
    """threading, imported by the main thread once it waits (Pythons before 3.12 take the importing thread for
    the main one), so what the user's code asks of threading.main_thread() is true."""
    if _thread.get_ident() == MAIN_THREAD and 'threading' not in sys.modules:
        globals()['threading'] = __import__('threading')


REQ, OK, ERR, DATA, END, CANCEL, HELLO, WANT, SHIPPED = range(1, 10)
HEADER = struct.Struct('>IBI')
MAX_FRAME = 16 * 1024 * 1024 + 5
DEFAULT_CAP = 1048576
DEFAULT_CHUNK = 262144

IN_FD, OUT_FD = 0, 1             # main() replaces these with private duplicates
WRITE_LOCK = _thread.allocate_lock()    # held for a whole frame, so frames never interleave
HELD = []                        # the HELLO frame until it goes out in front of the first answer (hold_hello)
ACTIVE = {}                      # request id -> Request that has not answered yet
ACTIVE_LOCK = _thread.allocate_lock()
SPAWNING = set()                 # threads starting a child that is not yet some ACTIVE request's proc
UPLOADS = {}                     # request id -> Upload; used by the reader thread only
CAPTURES = {}                    # thread ident -> {'out': list | None, 'err': list | None}
EXEC_NS = {'__name__': '__chop__'}   # one namespace shared by every exec request
EXEC_COUNTER = itertools.count(1)


# ---------------------------------------------------------------- the request table

HANDLERS = {}   # op -> (function(req, params), how); every part registers its own ops with @handles
WATCHED, QUICK, STREAMED = 'watched', 'quick', 'streamed'


def handles(op, how=WATCHED):
    """Registers the decorated function as the handler of the requests named op.

    how says where it runs: WATCHED (most ops) on the thread that read it, which hands reading to a new
    thread if it takes long (see ReaderRole in agent_90_main.py); QUICK on the reader, for an op that cannot block
    (ping); STREAMED on the reader, which then hands it the request's DATA and END frames (put: it
    answers the request itself). A second handler for one op is a bug in the parts."""
    def register(func):
        if op in HANDLERS:
            raise AssertionError(f'two parts handle op {op!r}')
        HANDLERS[op] = (func, how)
        return func
    return register


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
    header = HEADER.pack(5 + len(payload), op, rid)
    try:
        with WRITE_LOCK:
            if HELD:   # the hello first, in the same write
                header = HELD.pop() + header
            if len(payload) <= 65536:   # one write, so the controller wakes once per frame
                write_all(OUT_FD, header + payload)
            else:   # one call, no copy: a signal may cut it short, then the rest follows
                sent = os.writev(OUT_FD, [header, payload])
                if sent < len(header):
                    write_all(OUT_FD, header[sent:])
                    sent = len(header)
                write_all(OUT_FD, memoryview(payload)[sent - len(header):])
    except OSError:
        shutdown(0, 'chop agent: controller went away')


def hold_hello(frame):
    """Keeps the HELLO frame back until the first answer, which it then leads in one write: chop writes its
    first request right behind the agent, and over a long link one write is one packet. It goes out alone
    as soon as the reader would wait for input (read_exact) or ends, so a slow first request never holds it."""
    HELD.append(frame)


def send_held():
    try:
        with WRITE_LOCK:
            if HELD:
                write_all(OUT_FD, HELD.pop())
    except OSError:
        shutdown(0, 'chop agent: controller went away')


def to_json(obj):
    # NaN and Infinity go out as Python's json writes them (NaN, Infinity, -Infinity): the
    # controller reads them. A lone surrogate (from an undecodable file name, say) would make
    # the whole frame invalid UTF-8: it becomes '?'.
    return json.dumps(obj, ensure_ascii=False).encode('utf-8', 'replace')


# Seconds of no input after which the main thread imports threading: a one-shot run (chop -c) ends the agent
# before that, so its host never pays the 3-4 ms of CPU (ten such agents starting on one host compete for it).
IDLE_BEFORE_THREADING = 0.25
READ_AHEAD = 1 << 18   # bytes asked of the pipe at once for small frames
AHEAD = [bytearray(), 0]   # input read but not yet used, and the offset of its first unused byte
# The reads of small frames land here, one buffer for the agent's life: os.read(fd, READ_AHEAD) allocated 256 KiB
# for every read and gave it back, which had the C allocator grow and trim its heap on every request (page faults,
# TLB flushes: about a third of a warm request's CPU on a busy host).
READ_VIEW = memoryview(bytearray(READ_AHEAD))


def read_exact(n):
    """n bytes from the controller. Small frames are cut from reads of up to READ_AHEAD bytes, so a tree of
    small files (a frame each, written by the controller a batch at a time) costs a few reads, not two per
    file; a large payload (a put's chunk) is read straight into its own buffer."""
    buf, pos = AHEAD
    end = pos + n
    if end <= len(buf):
        AHEAD[1] = end
        return buf[pos:end]
    out = bytearray(n)
    view = memoryview(out)
    got = len(buf) - pos
    view[:got] = memoryview(buf)[pos:]
    AHEAD[0], AHEAD[1] = bytearray(), 0
    while got < n:
        if (HELD or 'threading' not in sys.modules) and not select.select([IN_FD], [], [], 0)[0]:
            if HELD:
                send_held()   # nothing to answer yet: the hello must not wait for the next request
            elif not select.select([IN_FD], [], [], IDLE_BEFORE_THREADING)[0]:
                import_threading()   # idle a while after an answer: time for what start-up left out
        if n - got >= READ_AHEAD:
            count = os.readv(IN_FD, [view[got:]])
        else:
            size = os.readv(IN_FD, [READ_VIEW])
            count = min(n - got, size)
            view[got:got + count] = READ_VIEW[:count]
            if count < size:
                AHEAD[0], AHEAD[1] = bytearray(READ_VIEW[count:size]), 0
        if not count:
            send_held()
            return None
        got += count
    return out


def widen_pipes(*fds):
    """Give the protocol pipes 1 MiB instead of 64 KiB, so bulk transfers take fewer wake-ups. Only
    over ssh: there each host has one agent; a thousand local agents would use up the user's pipe
    allowance (pipe-user-pages-soft) and shrink every later pipe to one page."""
    if 'SSH_CONNECTION' not in os.environ:
        return
    import fcntl
    for fd in fds:
        with suppress(OSError):   # not a pipe, or not allowed: 64 KiB it is
            fcntl.fcntl(fd, getattr(fcntl, 'F_SETPIPE_SZ', 1031), 1 << 20)


class Workers:
    """Threads for work that must not hold the reader (a tree's comparing), each kept for the next task when it
    is done: starting a thread costs more than most tasks do (two GIL hand-offs and a clone). A task never
    waits for a busy worker; a new thread starts when none is idle."""

    def __init__(self):
        self.tasks = None   # made on first use: most agents serve every request on the reader
        self.lock = _thread.allocate_lock()
        self.idle = 0

    def submit(self, func, *args):
        with self.lock:
            self.make_queue()
            start = self.idle == 0
            if not start:
                self.idle -= 1
        if start:
            _thread.start_new_thread(self.work, ())
        self.tasks.put((func, args))

    def work(self):
        while True:
            import_threading()
            func, args = self.tasks.get()
            func(*args)
            with self.lock:
                self.idle += 1

    def join(self):
        """The calling thread becomes one more worker, for good."""
        with self.lock:
            self.make_queue()
            self.idle += 1
        self.work()

    def make_queue(self):   # under self.lock
        if self.tasks is None:   # _queue's SimpleQueue (3.7+), not queue.py: that imports heapq and collections
            try:
                self.tasks = __import__('_queue').SimpleQueue()
            except (ImportError, AttributeError):
                self.tasks = queue.Queue()


WORKERS = Workers()


class Request:
    """One request id: sends a single terminal frame, and knows how to cancel itself."""

    def __init__(self, rid, op):
        self.id, self.op = rid, op
        self.lock = _thread.allocate_lock()
        self.done = self.cancelled = False
        self.proc = None      # run: its process (Popen or Spawned), so CANCEL and EOF can kill its group
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
        with suppress(OSError):   # already gone
            os.killpg(proc.pid, signal.SIGKILL)


def shutdown(status, msg=None):
    """Kill every process group we started, delete unfinished uploads, exit at once."""
    if msg:
        with suppress(OSError):
            write_all(2, msg.encode('utf-8', 'replace') + b'\n')
    # No lock: this may run in a signal handler that interrupted a lock holder.
    for req in list(ACTIVE.values()):
        kill_group(req.proc)
        if req.cleanup:
            req.cleanup()
    if SPAWNING:   # else every child is some request's proc: no /proc scan (100 agents ending scan 100 times)
        kill_unrecorded_groups()
    os._exit(status)


def kill_unrecorded_groups():
    """Kill the process group of every child that leads its own session (run starts each so), found in /proc:
    a SIGTERM or EOF that comes after a command started but before Popen returned (on a loaded host the
    command may already be running then) finds no req.proc to kill. No /proc (not Linux): nothing to do."""
    me = str(os.getpid()).encode()
    with suppress(OSError):
        for name in os.listdir('/proc'):
            if not name.isdigit():
                continue
            try:
                with open(f'/proc/{name}/stat', 'rb') as f:
                    fields = f.read().rsplit(b')', 1)[-1].split()   # state ppid pgrp session ...
            except OSError:
                continue   # gone meanwhile
            if len(fields) > 3 and fields[1] == me and fields[3] == name.encode():
                with suppress(OSError):
                    os.killpg(int(name), signal.SIGKILL)


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
