# chop agent, part 2 of 6: ping and run. The parts are one program: Bootstrap joins them in
# file-name order and sends them as one source, so names from earlier parts are defined here.


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
    """Reads a pipe to EOF in a thread and keeps the first cap bytes, or, with a sink,
    hands every chunk to it as it comes (run with "stream": the controller keeps them)."""

    def __init__(self, pipe, cap, sink=None):
        self.pipe, self.cap, self.sink = pipe, cap, sink
        self.kept = bytearray()
        self.truncated = False
        self.thread = spawn(self.loop)

    def loop(self):
        while True:
            chunk = os.read(self.pipe.fileno(), 65536)
            if not chunk:
                break
            if self.sink:
                self.sink(chunk)
                continue
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
    stream = param(params, 'stream', (bool,), False)
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
    if stream:
        # DATA frames tagged 1 (stdout) or 2 (stderr), in the order they come; all before the OK.
        out = Drain(proc.stdout, cap, lambda chunk: req.data(b'\x01' + chunk))
        err = Drain(proc.stderr, cap, lambda chunk: req.data(b'\x02' + chunk))
    else:
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
