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
PLAIN_CHARS = frozenset('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./,:@%+=-')
HOLD_SECONDS = 0.02      # streamed output waits this long for more, so a short command's output rides in its OK
HOLD_BYTES = 65536


def plain_argv(cmd):
    """The words of cmd when sh would only run one program with them, else None.

    Such a command (`hostname`, `uname -r`, `systemctl restart app`) is started directly,
    without /bin/sh in between: half the processes, the same result, as make(1) does. Anything
    sh could read differently (quotes, $, globs, ~, redirections, ;, a builtin, VAR=x) goes
    through sh."""
    words = [word for word in cmd.replace('\t', ' ').split(' ') if word]   # str methods: re costs 9 ms to import
    if not words or words[0] in SHELL_WORDS or '=' in words[0]:
        return None
    if all(PLAIN_CHARS.issuperset(word) for word in words):
        return words
    return None


def b64(data):
    """base64 text of data, by binascii (for every part): the base64 module imports re, 9 ms of a start."""
    return binascii.b2a_base64(data, newline=False).decode('ascii')


class Spawned:
    """What run needs of a Popen, for a process that os.posix_spawnp started (spawn)."""

    def __init__(self, pid, stdin, stdout, stderr):
        self.pid, self.stdin, self.stdout, self.stderr = pid, stdin, stdout, stderr
        self.returncode = None

    def wait(self, timeout=None):
        """The exit status (-N for signal N) once it has exited, or None when timeout seconds passed first."""
        if self.returncode is not None:
            return self.returncode
        deadline = None if timeout is None else time.monotonic() + timeout
        delay = 0.0005
        while True:
            pid, status = os.waitpid(self.pid, 0 if deadline is None else os.WNOHANG)
            if pid:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            time.sleep(min(delay, left))
            delay = min(delay * 2, 0.05)
        self.returncode = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        return self.returncode


SPAWN_OK = [hasattr(os, 'posix_spawnp')]   # Python 3.8+; False once the libc could not start a session with it


def spawn(argv, env, with_stdin):
    """argv started by os.posix_spawnp in a session of its own, stdout and stderr (and stdin) on pipes, as
    start_process's Popen would, or None where posix_spawnp cannot. Importing subprocess (locale, re, signal,
    selectors) takes longer than most commands run: a host's first `run` would wait for it."""
    if not SPAWN_OK[0]:
        return None
    fds = []
    try:
        for _ in range(3 if with_stdin else 2):
            fds.extend(os.pipe())
        if min(fds) <= 2:   # a standard descriptor was closed: dup2 onto itself would leave close-on-exec set
            return None
        out_r, out_w, err_r, err_w = fds[:4]
        # novermin below: Python 3.8's, and SPAWN_OK is False before it.
        dup2, null = os.POSIX_SPAWN_DUP2, (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0)   # novermin
        actions = [(dup2, fds[4], 0) if with_stdin else null, (dup2, out_w, 1), (dup2, err_w, 2)]
        try:   # SIGPIPE and SIGXFSZ back to their defaults, as Popen's restore_signals does
            pid = os.posix_spawnp(argv[0], argv, os.environ if env is None else env,   # novermin
                                  file_actions=actions, setsid=True, setsigdef=(signal.SIGPIPE, signal.SIGXFSZ))
        except NotImplementedError:
            SPAWN_OK[0] = False
            return None
        keep = [out_r, err_r] + ([fds[5]] if with_stdin else [])
        for fd in fds:
            if fd not in keep:
                os.close(fd)
        fds = []
        stdin = open(keep[2], 'wb', buffering=0) if with_stdin else None   # noqa: SIM115 -- run_process closes them
        return Spawned(pid, stdin, open(out_r, 'rb', buffering=0), open(err_r, 'rb', buffering=0))
    finally:
        for fd in fds:
            os.close(fd)


def start_process(cmd, cwd, env, with_stdin, argv=None):
    """A process for cmd in its own session (so a timeout or CANCEL kills its whole group): spawn's, or a Popen
    for a cwd or where spawn cannot; with argv, that program and its arguments, without sh."""
    def start(words):
        proc = spawn(words, env, with_stdin) if cwd is None else None
        if proc is None:
            proc = subprocess.Popen(words, cwd=cwd, env=env, start_new_session=True, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE,
                                    stdin=subprocess.PIPE if with_stdin else subprocess.DEVNULL)
        return proc

    if argv is not None:
        try:
            return start(argv)
        except OSError as e:
            raise os_error('script', 'start', argv[0], e)
    argv = plain_argv(cmd)
    if argv:
        try:
            return start(argv)
        except OSError:   # not found, not executable: sh says so in its own words
            pass
    try:
        return start(['/bin/sh', '-c', cmd])
    except OSError as e:
        raise os_error('run', 'start', '/bin/sh', e)


def finished(proc, deadline):
    """Waits for proc (a Popen or Spawned) to exit, until deadline (None: for good); False if it is still running."""
    timeout = None if deadline is None else max(0, deadline - time.monotonic())
    if isinstance(proc, Spawned):
        return proc.wait(timeout) is not None
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        return False
    return True


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
        tail = [{'stream': tag, 'b64': b64(bytes(chunk))} for tag, chunk in self.held]
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
        stdin_bytes = None if stdin is None else binascii.a2b_base64(stdin.encode('ascii'))
    except ValueError as e:
        raise protocol_error(f'{req.op}: stdin_b64 is not valid base64: {e}')

    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    with req.lock:
        if req.cancelled:
            return None
        SPAWNING.add(_thread.get_ident())
        try:
            proc = req.proc = start_process(cmd, cwd, env, stdin_bytes is not None, argv)
        finally:
            SPAWNING.discard(_thread.get_ident())
    output = Output(req, cap, stream)
    try:
        timed_out = pump(proc, stdin_bytes, deadline, output)
        if not timed_out:
            timed_out = not finished(proc, deadline)
        if timed_out:
            kill_group(proc)
            pump(proc, None, time.monotonic() + 1.0, output)   # what the killed group had printed
            proc.wait()
    finally:
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe is not None:
                with suppress(OSError):
                    pipe.close()
    if req.cancelled:
        return None   # CANCEL killed it and answers (after a script's cleanup, which may take a moment)
    rc = proc.returncode
    reply = {
        'status': rc if rc >= 0 else None,
        'signal': -rc if rc < 0 else None,
        'stdout_b64': b64(bytes(output.kept[1])),
        'stderr_b64': b64(bytes(output.kept[2])),
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
