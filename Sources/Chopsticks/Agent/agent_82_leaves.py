# chop agent part 82, leaves: the gateway's I/O thread (Gateway) and the requests that open, feed and close
# leaves; the leaves' streams are part 80's (LeafStreams).


class Gateway(LeafStreams):
    """The leaves of this agent, by route id, and the thread that moves their bytes."""

    def __init__(self):
        self.condition, self.making = None, _thread.allocate_lock()
        self.leaves = {}
        self.waiting = []     # leaves not started yet: at most `fanout` connect at once
        self.fanout = 64
        self.commands = []    # work for the I/O thread, posted by the reader
        self.source = None
        self.selector = None
        self.wake = None
        self.poked = False    # a wake-up byte is on its way: one is enough for any number of commands
        self.outbox = []      # frames for chop from this round of the I/O thread, written together
        self.outsize = 0
        self.check_soon = False   # a leaf's stream ended or it was told to close: check_times now

    @property
    def lock(self):
        """threading's Condition, made when first used: an agent that is no gateway does not import threading."""
        if self.condition is None:
            with self.making:
                if self.condition is None:
                    self.condition = threading.Condition()
        return self.condition

    def route_in(self, route, payload):
        """A frame for leaf `route`, on the reader: written into the leaf's stdin at once when nothing
        waits before it there (no wake-up of the I/O thread, no selector change: one write per frame),
        else queued for the I/O thread. While that leaf has LEAF_BACKLOG bytes waiting, the reader waits
        for it (flow control for a put), at most its timeout: a leaf that does not read its input is
        ended then, and the other leaves go on."""
        if len(payload) < 5:
            return
        op = payload[0]
        with self.lock:
            leaf = self.leaves.get(route)
            if leaf is None or leaf.ended or leaf.closing:
                return
            if op == REQ:
                leaf.open_ids.add(LEAF_ID.unpack_from(payload, 1)[0])
            elif op == SHIPPED:
                leaf.want = False
            if len(leaf.queue) > LEAF_BACKLOG:
                limit = time.monotonic() + leaf.timeout
                while len(leaf.queue) > LEAF_BACKLOG and not leaf.ended and time.monotonic() < limit:
                    self.lock.wait(0.1)
            if len(leaf.queue) > LEAF_BACKLOG:
                self.commands.append(('fail', route, 'input', (f'the leaf did not read its input for '
                                                            f'{leaf.timeout} s; the gateway ended it')))
            else:
                frame = LEAF_LENGTH.pack(len(payload)) + payload
                if leaf.feeds:   # after the files chop asked this gateway to send first
                    leaf.feeds.append(RawFeed(frame))
                elif leaf.queue or leaf.stdin_fd is None:
                    leaf.queue += frame
                else:
                    try:
                        count = os.write(leaf.stdin_fd, frame)
                    except BlockingIOError:
                        count = 0
                    except OSError:   # the leaf is gone: its stdout ending says so
                        return
                    if count == len(frame):
                        return
                    leaf.queue += frame[count:]
                self.commands.append(('write', route))
        self.poke()

    # -------------------------------------------------------- the I/O thread

    def post(self, command):
        with self.lock:
            if command:
                self.commands.append(command)
        self.poke()

    def poke(self):
        if self.poked:
            return
        self.poked = True
        with suppress(OSError, TypeError):
            os.write(self.wake[1], b'x')

    def start_thread(self):   # under self.lock
        if self.selector is not None:
            return
        import selectors
        self.selector = selectors.DefaultSelector()
        self.wake = os.pipe()
        for fd in self.wake:
            os.set_blocking(fd, False)
        self.selector.register(self.wake[0], selectors.EVENT_READ, None)
        thread = threading.Thread(target=self.loop)
        thread.daemon = True
        thread.start()

    def loop(self):
        """Each round: the frames for chop in one write, a select, every ready leaf's bytes, the
        reader's commands. Timeouts, exits and paused stderr are looked at every CHECK_EVERY (sooner
        while something waits on them), not every round: a round costs what its ready leaves cost,
        not what all the leaves do."""
        import selectors
        next_check = 0.0
        while True:
            self.flush_out()
            events = self.selector.select(max(0.0, next_check - time.monotonic()))
            for key, mask in events:
                if key.data is None:
                    with suppress(OSError):
                        os.read(self.wake[0], 4096)
                    self.poked = False   # before the commands are taken: a later one pokes again
                    continue
                leaf, which = key.data
                if which == 'in':
                    self.flush(leaf)
                else:
                    self.read(leaf, key.fd, which)
            with self.lock:
                commands, self.commands = self.commands, []
            for command in commands:
                self.run_command(command, selectors)
            if self.waiting:
                self.start_waiting(selectors)
            now = time.monotonic()
            if self.check_soon or now >= next_check:
                self.check_soon = False
                next_check = now + (0.05 if self.check_times(now, selectors) else CHECK_EVERY)

    def run_command(self, command, selectors):
        leaf = self.leaves.get(command[1])
        if leaf is None or leaf.ended:
            return
        if command[0] == 'write':
            self.want_write(leaf, selectors)
        elif command[0] == 'close':
            leaf.closing = True
            if command[2] or leaf.proc is None:
                self.kill(leaf)
            else:
                self.want_write(leaf, selectors)
                leaf.kill_at = time.monotonic() + 2
                self.check_soon = True
        elif command[0] == 'fail':
            self.fail(leaf, command[2], command[3])

    def start_waiting(self, selectors):
        with self.lock:
            connecting = sum(1 for leaf in self.leaves.values() if leaf.proc and not leaf.hello)
            starting = []
            while self.waiting and connecting < self.fanout:
                leaf = self.waiting.pop(0)
                if not leaf.ended:
                    starting.append(leaf)
                    connecting += 1
        for leaf in starting:
            if leaf.closing:
                self.end(leaf, None)
                continue
            SPAWNING.add(_thread.get_ident())
            try:
                leaf.proc = subprocess.Popen(leaf.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, start_new_session=True, bufsize=0,
                                             env=leaf.env)
                leaf.request.proc = leaf.proc
                with ACTIVE_LOCK:
                    ACTIVE[leaf.request.id] = leaf.request
            except OSError as e:
                self.end(leaf, {'fault': 'spawn', 'msg': f'cannot start {leaf.argv[0]} on the gateway: '
                                                         f'{e.strerror or e}'})
                continue
            finally:
                SPAWNING.discard(_thread.get_ident())
            leaf.deadline = time.monotonic() + leaf.timeout
            self.check_soon = True
            for stream, which in ((leaf.proc.stdout, 'out'), (leaf.proc.stderr, 'err')):
                fd = stream.fileno()
                os.set_blocking(fd, False)
                leaf.fds[fd] = which
                self.selector.register(fd, selectors.EVENT_READ, (leaf, which))
            os.set_blocking(leaf.proc.stdin.fileno(), False)
            with self.lock:
                leaf.queue[:0] = leaf.line + self.source
                leaf.stdin_fd = leaf.proc.stdin.fileno()
            self.want_write(leaf, selectors)

    def want_write(self, leaf, selectors):
        if leaf.proc is None or leaf.proc.stdin is None:
            return
        fd = leaf.proc.stdin.fileno()
        if fd not in leaf.fds:
            leaf.fds[fd] = 'in'
            self.selector.register(fd, selectors.EVENT_WRITE, (leaf, 'in'))

    def top_up(self, leaf):   # under self.lock
        while leaf.feeds and len(leaf.queue) < LEAF_BACKLOG // 4:
            data = leaf.feeds[0].next()
            if data is None:
                leaf.feeds.pop(0).close()
            else:
                leaf.queue += data

    def flush(self, leaf):
        fd = leaf.proc.stdin.fileno()
        with self.lock:
            self.top_up(leaf)
            data = bytes(leaf.queue[:LEAF_READ])
        try:
            count = os.write(fd, data) if data else 0
        except BlockingIOError:
            return
        except OSError:   # the leaf is gone: its stdout ending says so
            count, data = 0, b''
            with self.lock:
                leaf.queue.clear()
        with self.lock:
            del leaf.queue[:count]
            self.top_up(leaf)
            empty = not leaf.queue
            self.lock.notify_all()
        if empty:
            self.unregister(leaf, fd)
            if leaf.closing:
                with self.lock:
                    leaf.stdin_fd = None
                leaf.proc.stdin.close()

    def check_times(self, now, selectors):
        """Ends leaves past their connect timeout or kill time, and those whose tunnel exited; reads a
        paused stderr again. True while a leaf needs another look soon."""
        soon = False
        for leaf in list(self.leaves.values()):
            if leaf.ended:
                continue
            if leaf.proc is not None and not leaf.hello and leaf.deadline:
                soon = True
                if now > leaf.deadline:
                    self.fail(leaf, 'timeout', f'timed out after {leaf.timeout} s')
            if leaf.kill_at:
                soon = True
                if now > leaf.kill_at:
                    leaf.kill_at = None
                    self.kill(leaf)
            if leaf.err_paused is not None:
                soon = True
                fd, until = leaf.err_paused
                if now >= until:
                    leaf.err_paused = None
                    if fd in leaf.fds:
                        self.selector.register(fd, selectors.EVENT_READ, (leaf, 'err'))
            if leaf.proc is not None and not any(w != 'in' for w in leaf.fds.values()):
                soon = True
                status = leaf.proc.poll()
                if status is not None:
                    self.end(leaf, leaf.fault)
        return soon


GATEWAY = Gateway()


@handles('leaf_open', QUICK)
def op_leaf_open(req, params):
    route = param(params, 'route', (int,), required=True)
    if GATEWAY.source is None:
        raise protocol_error('leaf_open: no agent source yet (send gateway_source first)')
    leaf = Leaf(route, params)
    fanout = param(params, 'fanout', (int,), 64)
    with GATEWAY.lock:
        if route in GATEWAY.leaves:
            raise protocol_error(f'leaf_open: route {route} is in use')
        GATEWAY.start_thread()
        GATEWAY.fanout = max(1, fanout)
        GATEWAY.leaves[route] = leaf
        GATEWAY.waiting.append(leaf)
    GATEWAY.post(None)
    return {'route': route}


@handles('leaf_feed', QUICK)
def op_leaf_feed(req, params):
    """Sends the file at `path` (a put chop staged here once for all its leaves) to the leaf as the DATA
    and END of its put request `id`, read only as fast as the leaf takes it."""
    route = param(params, 'route', (int,), required=True)
    rid = param(params, 'id', (int,), required=True)
    path = param(params, 'path', (str,), required=True)
    end = to_json({'sha1': param(params, 'sha1', (str,), required=True),
                   'size': param(params, 'size', (int,), required=True)})
    try:
        source = open(path, 'rb')   # noqa: SIM115 -- read by the I/O thread, closed when sent
    except OSError as e:
        raise os_error('leaf_feed', 'open', path, e) from None
    with GATEWAY.lock:
        leaf = GATEWAY.leaves.get(route)
        if leaf is None or leaf.ended or leaf.closing:
            source.close()
            raise Failure('LeafGone', f'leaf_feed: route {route} is not open')
        leaf.feeds.append(FileFeed(source, rid, end))
        GATEWAY.commands.append(('write', route))
    GATEWAY.poke()
    return {'route': route}


@handles('leaf_tree_feed', QUICK)
def op_leaf_tree_feed(req, params):
    """Sends files of a tree chop staged here (each once for all the leaves of this gateway) to the leaf as
    DATA of its tree_put request `id`, in order: F, C and E frames each, as chop would have. The frames
    chop sends the leaf after this request follow them."""
    route = param(params, 'route', (int,), required=True)
    rid = param(params, 'id', (int,), required=True)
    files = param(params, 'files', (list,), required=True)
    for spec in files:
        if not (isinstance(spec, list) and len(spec) == 4 and isinstance(spec[0], int)
                and isinstance(spec[1], str) and isinstance(spec[2], str) and isinstance(spec[3], int)):
            raise protocol_error('leaf_tree_feed: each file must be [index, path, sha1, size]')
    with GATEWAY.lock:
        leaf = GATEWAY.leaves.get(route)
        if leaf is None or leaf.ended or leaf.closing:
            raise Failure('LeafGone', f'leaf_tree_feed: route {route} is not open')
        leaf.feeds.append(TreeFeedOut(rid, files))
        GATEWAY.commands.append(('write', route))
    GATEWAY.poke()
    return {'route': route, 'files': len(files)}


@handles('leaf_close', QUICK)
def op_leaf_close(req, params):
    route = param(params, 'route', (int,), required=True)
    kill = param(params, 'kill', (bool,), False)
    GATEWAY.post(('close', route, kill))
    return {'route': route}


@handles('gateway_unstage')
def op_gateway_unstage(req, params):
    """Removes files chop staged here for its leaves: now, or once the feeds still sending them are done."""
    paths = param(params, 'paths', (list,), required=True)
    removed = later = 0
    with GATEWAY.lock:
        for path in paths:
            if isinstance(path, str):
                if STAGED.remove(path):
                    removed += 1
                elif path in STAGED.doomed:
                    later += 1
    return {'removed': removed, 'later': later}
