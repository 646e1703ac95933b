# chop agent part 86, linger: an agent that stays for the next chop run. The parts are one program, joined in
# file-name order (see agent_10_core.py).


# ---------------------------------------------------------------- linger: the next run's agent, already started

LINGER_MARKER = b'chop-agent-linger\n'   # what a lingering agent's child writes first (no login text comes before)
LINGER_GRACE = 5   # seconds a lingering agent outlives the window, so it is there for the whole life of the master


def linger_folder():
    """A folder of this user's that no one else may enter, for the lingering agent's socket, or None. Only an
    agent that runs as the user who logged in lingers (never under sudo or with another effective user: a socket
    of the user's must never reach another user's agent)."""
    uid = os.getuid()
    if os.geteuid() != uid or 'SUDO_USER' in os.environ:
        return None
    runtime = os.environ.get('XDG_RUNTIME_DIR') or ''
    candidates = [os.path.join(runtime, 'chop')] if runtime.startswith('/') and len(runtime) < 48 else []
    for folder in candidates + [f'/tmp/chop-agent-{uid}']:
        with suppress(OSError):
            os.mkdir(folder, 0o700)
        try:
            st = os.lstat(folder)
        except OSError:
            continue
        if st.st_mode & 0o170000 == 0o040000 and st.st_uid == uid and not st.st_mode & 0o077:
            return folder
    return None


def linger_path(key=''):
    """The socket of the lingering agent for this agent's source and interpreter, the address sshd was reached at
    and `key` (chop's name for its master: each master has its own, as the agents it starts keep the environment
    of the session that started it, SSH_CONNECTION and SSH_AUTH_SOCK included), or None."""
    folder = linger_folder()
    if folder is None or len(sys.argv) < 3 or not sys.argv[2].isalnum():
        return None
    server = ' '.join(os.environ.get('SSH_CONNECTION', '').split()[2:])
    kind = binascii.crc32(f'{sys.executable}\0{server}\0{key}'.encode())
    return os.path.join(folder, f'{sys.argv[2]}-{kind:08x}.sock')


def start_linger(seconds, key):
    """Leaves an agent behind (its grandchild, in a session of its own and holding nothing of this one's) that
    listens on linger_path(key) until no connection came for `seconds` (+ LINGER_GRACE) after this agent and the
    last connection ended, and starts a fresh agent for each connection there: the next run reaches it through
    its ssh master's forward (chop says where) instead of starting Python. Called first thing in main(), while
    this is the only thread. Returns the socket's path, or None."""
    import _socket  # not socket (enum and more): this runs before the first answer

    if not hasattr(_socket, 'SO_PEERCRED'):   # no way to know who connects: no lingering
        return None
    path = linger_path(key)
    if path is None:
        return None
    try:
        alive_r, alive_w = os.pipe()   # this agent's life: its end closes when it exits
        pid = os.fork()
    except OSError:
        return None
    if pid:
        os.close(alive_r)
        os.set_inheritable(alive_w, False)
        LINGER_ALIVE.append(alive_w)
        with suppress(OSError):
            os.waitpid(pid, 0)
        return path
    try:
        os.setsid()
        if os.fork() == 0:
            lingering(path, seconds + LINGER_GRACE, alive_r)
    finally:
        os._exit(0)


LINGER_ALIVE = []   # the agent that started a lingering one keeps the write end of a pipe to it


def lingering(path, seconds, alive):
    # Nothing of the session stays open here: sshd ends a session only once every copy of its pipes is closed.
    os.closerange(0, alive)
    os.closerange(alive + 1, 65536)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        if fd != null:
            os.dup2(null, fd)
    import fcntl
    lock = os.open(path + '.lock', os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)   # held for life: at most one listens on path
        if os.fstat(lock).st_ino != os.stat(path + '.lock').st_ino:
            return   # the lock file of one that was ending: its successor makes a new one
    except OSError:
        return   # another one listens
    me = os.getpid()
    signal.signal(signal.SIGTERM, linger_ended)   # linger_end: the socket goes with it
    try:
        with suppress(FileNotFoundError):
            os.unlink(path)
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        os.chmod(path, 0o600)
        server.listen(64)
        serve_connections(server, lock, seconds, alive)
    finally:
        # Only here (a forked child that caught SIGTERM early must not): the socket, then the lock (still held).
        # One that starts meanwhile finds the lock held, or makes a new lock file and binds the path anew.
        if os.getpid() == me:
            for name in (path, path + '.lock'):
                with suppress(OSError):
                    os.unlink(name)


def serve_connections(server, lock, seconds, alive):
    """Forks an agent for each connection from this uid until, with the starting agent gone (`alive` at its end)
    and no child left, `seconds` passed without one."""
    children, idle_since = set(), time.monotonic()
    while True:
        for child in list(children):
            try:
                if os.waitpid(child, os.WNOHANG)[0]:
                    children.discard(child)
                    idle_since = time.monotonic()
            except ChildProcessError:
                children.discard(child)
        busy = children or alive is not None
        left = seconds - (time.monotonic() - idle_since)
        if not busy and left <= 0:
            return
        ready = select.select([server] + ([alive] if alive is not None else []), [], [], 1.0 if busy else left)[0]
        if alive in ready:
            os.close(alive)
            alive, idle_since = None, time.monotonic()
        if server not in ready:
            continue
        try:
            conn, _ = server.accept()
        except OSError:   # no descriptor left for now
            time.sleep(0.05)
            continue
        try:
            peer = struct.unpack('3i', conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
            if peer[1] != os.getuid():   # the folder keeps others out; this is the second lock
                raise OSError('another uid')
            signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
            child = os.fork()
        except OSError:
            conn.close()
            continue
        if child == 0:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
            server.close()
            os.close(lock)
            if alive is not None:
                os.close(alive)
            serve_lingering(conn.detach())
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM])
        conn.close()
        children.add(child)


def linger_ended(signum, frame):
    raise SystemExit(0)


def serve_lingering(fd):
    """A fresh agent for one connection to the lingering one: the socket is its stdin and stdout."""
    try:
        os.setsid()
        os.dup2(fd, 0)
        os.dup2(fd, 1)
        os.close(fd)
        SOURCE_LEFT[0] = 0   # no agent source comes this way
        write_all(1, LINGER_MARKER)
        main(lingering=True)
    finally:
        os._exit(0)


@handles('linger_end', QUICK)
def op_linger_end(req, params):
    """Ends the lingering agent of this agent's kind (disconnect --persist): the next run starts Python again."""
    path = linger_path(params.get('key') or '')
    ended = False
    if path is not None:
        with suppress(OSError):
            import fcntl
            with open(path + '.lock', 'rb') as f:
                try:
                    fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:   # held: one listens; its pid is the lock's holder
                    ended = end_lock_holder(path + '.lock')
    return {'ended': ended}


def end_lock_holder(lock):
    """Sends SIGTERM to the process holding the flock on `lock` (found in /proc/locks by its device and inode)."""
    st = os.stat(lock)
    where = f'{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}'
    with open('/proc/locks') as f:
        for line in f:
            words = line.split()
            if len(words) > 5 and words[1] == 'FLOCK' and words[5] == where and words[4].isdigit():
                pid = int(words[4])
                if 0 < pid != os.getpid():
                    os.kill(pid, signal.SIGTERM)
                    return True
    return False
