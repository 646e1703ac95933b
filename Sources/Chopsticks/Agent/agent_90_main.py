# chop agent part 90, main: the reader loop and main(), always the last part. The parts are one
# program, joined in file-name order (see agent_10_core.py); HANDLERS is filled by the parts before.


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
    """Serves one REQ frame; True when the calling thread stopped being the reader meanwhile (see ReaderRole)."""
    try:
        params = json.loads(payload.decode('utf-8'))
    except ValueError as e:
        send(ERR, rid, to_json(protocol_error(f'invalid REQ JSON: {e}').payload))
        return False
    op = params.get('op') if isinstance(params, dict) else None
    if not isinstance(op, str) or op not in HANDLERS:
        msg = f"unknown op {op!r}; known ops: {', '.join(sorted(HANDLERS))}"
        send(ERR, rid, to_json(protocol_error(msg).payload))
        return False
    with ACTIVE_LOCK:
        if rid in ACTIVE:
            sys.stderr.write(f'chop agent: ignoring REQ for busy id {rid}\n')
            return False
        req = ACTIVE[rid] = Request(rid, op)
    handler, how = HANDLERS[op]
    if how == STREAMED:
        handler(req, params)   # here, not in a thread, so its DATA finds the file open
    elif how == QUICK:
        serve(req, params, handler)   # cannot block: no timer needed
    else:
        return READER.serve_here(req, params, handler)
    return False


class ReaderRole:
    """Which thread reads frames.

    The thread that reads a request serves it itself: most take microseconds, and handing each to another
    thread cost more than they do (a thread woken and the GIL passed, twice a request: most of a warm call's
    CPU on a busy host). A request still going after INLINE_SECONDS makes SIGALRM (its handler runs on the
    main thread) start a new reader thread, so CANCEL and other requests are read meanwhile; the old reader
    serves its request to the end and then stops (a thread of the agent's ends, the main thread turns worker
    and keeps handling signals). So a long request costs a thread start, and every short one after it is
    served where it is read again. User code that takes SIGALRM for itself only delays a move until it
    returns; a request that will wait for a frame moves reading at once (move_now)."""

    INLINE_SECONDS = 0.01

    def __init__(self):
        self.lock = _thread.allocate_lock()
        # [thread ident, moved] of the request the reader serves now, a token new each time; moved is set when a
        # new reader took over during it (each token keeps its own: readers may be replaced one after another
        # while the first is still serving).
        self.serving = None

    def serve_here(self, req, params, handler):
        """Serves a request on the reader; True when a new reader took over meanwhile (this thread stops)."""
        token = self.serving = [_thread.get_ident(), False]
        signal.setitimer(signal.ITIMER_REAL, self.INLINE_SECONDS)
        try:
            serve(req, params, handler)
        finally:
            with self.lock:
                moved = token[1]
                if not moved:   # else the timer and `serving` are a newer reader's now
                    signal.setitimer(signal.ITIMER_REAL, 0)
                    self.serving = None
        return moved

    def move(self, token):
        """Under self.lock, with `token`'s request still being served: a new thread reads from now on. The thread
        starts first: if it cannot, the serving thread goes on reading after its request."""
        _thread.start_new_thread(reader_loop, ())
        token[1] = True

    def move_now(self):
        """Start a new reader now if this thread serves a request inline and will wait for a frame (an import
        asking chop for a module): it cannot read that frame itself."""
        with self.lock:
            token = self.serving
            if token is not None and token[0] == _thread.get_ident() and not token[1]:
                self.move(token)

    def on_alarm(self, signum, frame):
        # On the main thread, between two bytecodes of whatever it runs. The lock is only tried (the main thread
        # may hold it itself, ending a request it served): when it is taken, the alarm comes again in 1 ms.
        token = self.serving
        if token is None or token[1]:
            return
        if not self.lock.acquire(False):
            signal.setitimer(signal.ITIMER_REAL, 0.001)
            return
        try:
            if self.serving is token and not token[1]:
                self.move(token)
        except RuntimeError as e:   # no thread to be had: the request goes on, and reading waits for it
            sys.stderr.write(f'chop agent: cannot start a reader thread: {e}\n')
        finally:
            self.lock.release()


READER = ReaderRole()


def step_down():
    """The calling thread no longer reads (a new reader took over during its request): another thread of the
    agent's ends here; the main thread turns worker for good, importing threading first, here on the main
    thread, before the workers' code may."""
    if _thread.get_ident() == MAIN_THREAD:
        import_threading()
        WORKERS.join()


def reader_loop():
    skip_source()
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
            if handle_request(rid, payload):
                return step_down()
        elif op == DATA and upload:   # DATA/END for unknown or failed ids are ignored
            upload.data(payload)
        elif op == END and upload:
            upload.end(payload)
        elif op == SHIPPED:
            SHIPPED_CODE.answer(rid, payload)
        elif op == ROUTE:
            GATEWAY.route_in(rid, payload)
        elif op == CANCEL:
            req = ACTIVE.get(rid)   # finished or unknown ids: nothing to cancel
            if req:
                req.cancel()
        elif op not in (DATA, END):
            sys.stderr.write(f'chop agent: ignoring frame with op {op}\n')


# The agent's own bytes still to come on stdin: the stub ran a compiled copy from its cache without reading
# them (CHOP_SKIP), so they arrive now, ahead of the frames, and are dropped. Whichever thread reads first does it.
SOURCE_LEFT = [globals().get('CHOP_SKIP') or 0]


def skip_source():
    left, SOURCE_LEFT[0] = SOURCE_LEFT[0], 0
    while left > 0:
        chunk = read_exact(min(left, READ_AHEAD))
        if chunk is None:
            shutdown(0)
        left -= len(chunk)


def serve_first(text):
    """The first request, when it came in ssh's command line beside the bootstrap (CHOP_FIRST: one REQ frame in
    base64): served before the agent's bytes are read, so a host with a cached agent answers it a round trip
    sooner (sshd lets stdin in only once the command runs). Then the frames on stdin follow as usual."""
    try:
        data = binascii.a2b_base64(text)
    except (ValueError, TypeError) as e:
        shutdown(5, f'chop agent: bad first request: {e}')
    length, op, rid = HEADER.unpack(data[:HEADER.size]) if len(data) >= HEADER.size else (0, 0, 0)
    if op != REQ or length != len(data) - 4 or length > MAX_FRAME:
        shutdown(5, 'chop agent: the first request is not one REQ frame')
    if handle_request(rid, data[HEADER.size:]):
        step_down()


def on_signal(signum, frame):
    shutdown(0)


def main(lingering=False):
    global IN_FD, OUT_FD
    # CHOP_LINGER (seconds, in ssh's command line): leave an agent behind for the next run (part 86). First, while
    # this is the only thread, and out of the environment of every command.
    seconds, _, key = os.environ.pop('CHOP_LINGER', '').partition(':')
    linger = None
    if seconds.isdigit() and 0 < int(seconds) <= 86400 and (key == '' or key.isalnum()) and not lingering:
        linger = start_linger(int(seconds), key)
    # What the agent's parent left open past fd 2 stays out of the commands it starts: posix_spawn (run) does not
    # close it as Popen's close_fds does. No /proc: nothing to look at.
    with suppress(OSError):
        for name in os.listdir('/proc/self/fd'):
            if int(name) > 2:
                with suppress(OSError):   # the listing's own descriptor, closed by now
                    os.set_inheritable(int(name), False)
    # Keep the protocol on private fds and make fds 0 and 1 harmless, so children
    # and C code writing to "stdout" can never corrupt a frame.
    IN_FD, OUT_FD = os.dup(0), os.dup(1)
    widen_pipes(IN_FD, OUT_FD)
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
    signal.signal(signal.SIGALRM, READER.on_alarm)
    hello = to_json({'agent': 1, 'python': sys.version.split()[0], 'executable': sys.executable or '',
                     'pid': os.getpid(), 'hostname': os.uname().nodename, 'facts': [name for name, _ in FACTS],
                     'linger': linger})
    hold_hello(HEADER.pack(5 + len(hello), HELLO, 0) + hello)
    first = globals().get('CHOP_FIRST')
    if first and not lingering:
        serve_first(first)
    reader_loop()


if __name__ in ('__main__', '__chop_agent__'):
    main()
