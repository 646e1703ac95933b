# chop agent part 20, run: ping, run and script (ops registered with @handles, see agent_10_core.py).
# The parts are one program, joined in file-name order, so names from earlier parts are defined here.


# ---------------------------------------------------------------- ping, run

@handles('ping', QUICK)
def op_ping(req, params):
    return {'time': time.time()}


# Words that sh gives a meaning of its own (keywords, and builtins it runs without a program).
SHELL_WORDS = frozenset([
    '!', '{', '}', '[[', ']]', 'case', 'do', 'done', 'elif', 'else', 'esac', 'fi', 'for', 'function', 'if',
    'in', 'select', 'then', 'time', 'until', 'while', '.', ':', '[', 'alias', 'bg', 'break', 'builtin', 'cd',
    'command', 'continue', 'declare', 'echo', 'eval', 'exec', 'exit', 'export', 'false', 'fc', 'fg',
    'getopts', 'hash', 'jobs', 'kill', 'let', 'local', 'logout', 'printf', 'pwd', 'read', 'readonly',
    'return', 'set', 'shift', 'source', 'test', 'times', 'trap', 'true', 'type', 'typeset', 'ulimit',
    'umask', 'unalias', 'unset', 'wait'])
PLAIN_WORD = r'[A-Za-z0-9_./,:@%+=-]+\Z'
BLANKS = r'[ \t]+'
HOLD_SECONDS = 0.02      # streamed output waits this long for more, so a short command's output rides in its OK
HOLD_BYTES = 65536


def plain_argv(cmd):
    """The words of cmd when sh would only run one program with them, else None.

    Such a command (`hostname`, `uname -r`, `systemctl restart app`) is started directly,
    without /bin/sh in between: half the processes, the same result, as make(1) does. Anything
    sh could read differently (quotes, $, globs, ~, redirections, ;, a builtin, VAR=x) goes
    through sh."""
    words = re.split(BLANKS, cmd.strip(' \t'))
    if not words[0] or words[0] in SHELL_WORDS or '=' in words[0]:
        return None
    if all(re.match(PLAIN_WORD, word) for word in words):
        return words
    return None


def start_process(cmd, cwd, env, with_stdin, argv=None):
    """Popen for cmd in its own session (so a timeout or CANCEL kills its whole group); with
    argv, that program and its arguments, without sh."""
    options = {'cwd': cwd, 'env': env, 'start_new_session': True, 'stdout': subprocess.PIPE,
               'stderr': subprocess.PIPE, 'stdin': subprocess.PIPE if with_stdin else subprocess.DEVNULL}
    if argv is not None:
        try:
            return subprocess.Popen(argv, **options)
        except OSError as e:
            raise os_error('script', 'start', argv[0], e)
    argv = plain_argv(cmd)
    if argv:
        try:
            return subprocess.Popen(argv, **options)
        except OSError:   # not found, not executable: sh says so in its own words
            pass
    try:
        return subprocess.Popen(['/bin/sh', '-c', cmd], **options)
    except OSError as e:
        raise os_error('run', 'start', '/bin/sh', e)


class Output:
    """A run's output: the first cap bytes of each stream, or, streamed, every piece for the
    controller, tagged 1 (stdout) or 2 (stderr). Streamed pieces are held up to HOLD_SECONDS:
    what is still held when the command ends goes in the OK ("tail") instead of DATA frames."""

    def __init__(self, req, cap, stream):
        self.req, self.cap, self.stream = req, cap, stream
        self.kept = {1: bytearray(), 2: bytearray()}
        self.truncated = {1: False, 2: False}
        self.held, self.held_bytes, self.held_since = [], 0, None

    def add(self, tag, chunk):
        if self.stream:
            if self.held and self.held[-1][0] == tag:
                self.held[-1][1].extend(chunk)
            else:
                self.held.append((tag, bytearray(chunk)))
            self.held_bytes += len(chunk)
            if self.held_since is None:
                self.held_since = time.monotonic()
            if self.held_bytes >= HOLD_BYTES:
                self.flush()
            return
        kept = self.kept[tag]
        room = self.cap - len(kept)
        if room > 0:
            kept += chunk[:room]
        if len(chunk) > room:
            self.truncated[tag] = True   # but keep reading, or the command would block

    def due(self):
        """When held output must go out (a monotonic time), or None."""
        return None if self.held_since is None else self.held_since + HOLD_SECONDS

    def flush(self):
        for tag, chunk in self.held:
            self.req.data(bytes([tag]) + bytes(chunk))
        self.held, self.held_bytes, self.held_since = [], 0, None

    def tail(self):
        tail = [{'stream': tag, 'b64': base64.b64encode(bytes(chunk)).decode('ascii')} for tag, chunk in self.held]
        self.held, self.held_bytes, self.held_since = [], 0, None
        return tail


def pump(proc, stdin_bytes, deadline, output):
    """Feed stdin and read stdout and stderr, all in this thread, until both pipes end.

    Returns False, or True when the deadline passed first. Background children may hold
    the pipes open after the command exits: they get the same deadline."""
    poller = select.poll()
    tags = {proc.stdout.fileno(): 1, proc.stderr.fileno(): 2}
    for fd in tags:
        poller.register(fd, select.POLLIN)
    todo = memoryview(stdin_bytes or b'')
    if proc.stdin is not None:
        if todo:
            os.set_blocking(proc.stdin.fileno(), False)
            poller.register(proc.stdin.fileno(), select.POLLOUT)
        else:
            proc.stdin.close()
    reading = len(tags)
    while reading:
        wake = min((t for t in (deadline, output.due()) if t is not None), default=None)
        wait = None if wake is None else max(0, int((wake - time.monotonic()) * 1000) + 1)
        events = poller.poll(wait)
        now = time.monotonic()
        if output.due() is not None and now >= output.due():
            output.flush()
        if deadline is not None and now >= deadline:
            return True
        for fd, _ in events:
            if fd in tags:
                chunk = os.read(fd, 65536)
                if chunk:
                    output.add(tags[fd], chunk)
                else:
                    poller.unregister(fd)
                    reading -= 1
                continue
            try:
                todo = todo[os.write(fd, todo[:65536]):]
            except BlockingIOError:
                continue
            except OSError:   # the command exited or closed stdin without reading it all
                todo = todo[:0]
            if not todo:
                poller.unregister(fd)
                proc.stdin.close()
    return False


@handles('run')
def op_run(req, params):
    return run_process(req, params, param(params, 'cmd', (str,), required=True))


def run_process(req, params, cmd, argv=None):
    """op_run's work for cmd (through sh unless it is plain words), or for argv (script)."""
    stdin = param(params, 'stdin_b64', (str,))
    timeout = param(params, 'timeout', (int, float))
    env_updates = param(params, 'env', (dict,), {})
    cwd = param(params, 'cwd', (str,))
    cap = param(params, 'cap', (int,), DEFAULT_CAP)
    stream = param(params, 'stream', (bool,), False)
    if timeout is not None and timeout <= 0:
        raise protocol_error(f'{req.op}: timeout must be > 0, got {timeout!r}')
    if cwd is not None:
        cwd = os.path.expanduser(cwd)
        if not os.path.isdir(cwd):
            raise Failure('FileNotFoundError', f'{req.op}: cwd does not exist or is not a directory: {cwd}')
    env = dict(os.environ) if env_updates else None   # None: the agent's own, without re-encoding it
    for key, value in env_updates.items():
        if value is None:
            env.pop(key, None)   # null unsets a variable
        else:
            env[key] = str(value)
    try:
        stdin_bytes = None if stdin is None else base64.b64decode(stdin)
    except ValueError as e:
        raise protocol_error(f'{req.op}: stdin_b64 is not valid base64: {e}')

    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    with req.lock:
        if req.cancelled:
            return None
        proc = req.proc = start_process(cmd, cwd, env, stdin_bytes is not None, argv)
    output = Output(req, cap, stream)
    try:
        timed_out = pump(proc, stdin_bytes, deadline, output)
        if not timed_out:
            try:
                proc.wait(None if deadline is None else max(0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                timed_out = True
        if timed_out:
            kill_group(proc)
            pump(proc, None, time.monotonic() + 1.0, output)   # what the killed group had printed
            proc.wait()
    finally:
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()
    if req.cancelled:
        return None   # CANCEL killed it and answers (after a script's cleanup, which may take a moment)
    rc = proc.returncode
    reply = {
        'status': rc if rc >= 0 else None,
        'signal': -rc if rc < 0 else None,
        'stdout_b64': base64.b64encode(bytes(output.kept[1])).decode('ascii'),
        'stderr_b64': base64.b64encode(bytes(output.kept[2])).decode('ascii'),
        'stdout_truncated': output.truncated[1],
        'stderr_truncated': output.truncated[2],
        'timed_out': timed_out,
        'duration': time.monotonic() - start,
    }
    if stream:
        reply['tail'] = output.tail()
    return reply


# ---------------------------------------------------------------- script

SCRIPT_NAME = r'[A-Za-z0-9_.,+=@%-]{1,100}\Z'


def script_argv(path, body, args):
    """How a script starts: the interpreter of its #! line (read here, as the kernel reads it:
    the program, then at most one argument, the rest of the line), else /bin/sh. Not by exec'ing
    the file, so a temporary directory mounted noexec still works."""
    if body.startswith(b'#!'):
        line = body[2:].split(b'\n', 1)[0].strip(b' \t\r')
        words = line.decode('utf-8', 'surrogateescape').split(None, 1)
        if not words:
            raise Failure('ValueError', 'script: its #! line names no interpreter')
        return words + [path] + args
    return ['/bin/sh', path] + args


@handles('script')
def op_script(req, params):
    """run for a script sent in the request: written to a private directory (mode 0700), run
    with its arguments, and removed when it ends, fails, times out or is cancelled, and when
    the controller goes away (shutdown runs the request's cleanup)."""
    body_b64 = param(params, 'script_b64', (str,), required=True)
    name = param(params, 'name', (str,), 'script')
    args = param(params, 'args', (list,), [])
    if not all(isinstance(arg, str) for arg in args):
        raise protocol_error('script: args must be strings')
    if not re.match(SCRIPT_NAME, name) or name in ('.', '..'):
        name = 'script'
    try:
        body = base64.b64decode(body_b64, validate=True)
    except ValueError as e:
        raise protocol_error(f'script: script_b64 is not valid base64: {e}')
    try:
        folder = tempfile.mkdtemp(prefix='chop-script-')   # mode 0700
    except OSError as e:
        raise os_error('script', 'create a directory in', tempfile.gettempdir(), e)

    def remove():
        import shutil
        shutil.rmtree(folder, ignore_errors=True)

    req.cleanup = remove
    try:
        path = os.path.join(folder, name)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o700)
            try:
                write_all(fd, body)
                os.fchmod(fd, 0o700)
            finally:
                os.close(fd)
        except OSError as e:
            raise os_error('script', 'write', path, e)
        return run_process(req, params, None, script_argv(path, body, [str(arg) for arg in args]))
    finally:
        req.cleanup = None
        remove()
