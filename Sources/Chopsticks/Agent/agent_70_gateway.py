# chop agent part 70, gateway: this agent opens the tunnels of the leaves chop put behind it and relays
# their frames (PROTOCOL.txt, "Gateways"). One thread does all the leaves' I/O with a selector, so a
# gateway costs a thread, not three per leaf; every leaf is held to the same bounds chop holds a host
# to (login text, frame size, the protocol's order), and a leaf that breaks them is ended alone.

ROUTE, LEAF = 10, 11
LEAF_NOISE = 65536           # most bytes a leaf may print before its marker (FrameDecoder.maxNoise)
LEAF_STDERR = 1 << 20        # most stderr bytes passed on per leaf; the rest is counted, not sent
LEAF_BACKLOG = 4 << 20       # bytes queued for a leaf's stdin before the reader waits for it
LEAF_READ = 65536            # bytes read from one leaf per turn, so a busy leaf cannot starve the rest
LEAF_FRAME = MAX_FRAME - 5   # a leaf's frame, wrapped in a ROUTE frame, stays within MAX_FRAME


class Leaf:
    """One leaf's tunnel process on this gateway and what is known of its stream."""

    def __init__(self, route, params):
        self.route = route
        self.argv = param(params, 'argv', (list,), required=True)
        if not self.argv or not all(isinstance(word, str) for word in self.argv):
            raise protocol_error('leaf_open: argv must be a non-empty list of strings')
        self.line = param(params, 'line', (str,), required=True).encode('utf-8')
        self.marker = (param(params, 'marker', (str,), required=True) + '\n').encode('utf-8')
        self.timeout = param(params, 'timeout', (int, float), 10)
        self.proc = None
        self.fds = {}             # fd -> 'out' | 'err' | 'in'
        self.pending = bytearray()   # stdout not yet read as frames, or before the marker
        self.started = self.hello = self.want = self.closing = self.ended = False
        self.open_ids = set()     # request ids chop sent that have not ended
        self.queue = bytearray()  # bytes for the leaf's stdin
        self.feeds = []           # (file, request id, END payload): staged files sent as a put's DATA, in turn
        self.stderr_sent = 0
        self.deadline = None
        self.fault = None         # why the gateway ended it: {'fault': word, 'msg': str}
        self.kill_at = None
        self.request = Request(('leaf', route), 'leaf')   # in ACTIVE while it runs: shutdown kills it


class Gateway:
    """The leaves of this agent, by route id, and the thread that moves their bytes."""

    def __init__(self):
        self.lock = threading.Condition()
        self.leaves = {}
        self.waiting = []     # leaves not started yet: at most `fanout` connect at once
        self.fanout = 64
        self.commands = []    # work for the I/O thread, posted by the reader
        self.source = None
        self.selector = None
        self.wake = None

    # -------------------------------------------------------- requests (reader and workers)

    def op_source(self, req, params):
        data = base64.b64decode(param(params, 'agent_b64', (str,), required=True))
        self.source = data
        return {'size': len(data)}

    def op_open(self, req, params):
        route = param(params, 'route', (int,), required=True)
        if self.source is None:
            raise protocol_error('leaf_open: no agent source yet (send gateway_source first)')
        leaf = Leaf(route, params)
        fanout = param(params, 'fanout', (int,), 64)
        with self.lock:
            if route in self.leaves:
                raise protocol_error(f'leaf_open: route {route} is in use')
            self.start_thread()
            self.fanout = max(1, fanout)
            self.leaves[route] = leaf
            self.waiting.append(leaf)
        self.post(None)
        return {'route': route}

    def op_feed(self, req, params):
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
        with self.lock:
            leaf = self.leaves.get(route)
            if leaf is None or leaf.ended or leaf.closing:
                source.close()
                raise Failure('LeafGone', f'leaf_feed: route {route} is not open')
            leaf.feeds.append((source, rid, end))
            self.commands.append(('write', route))
        self.poke()
        return {'route': route}

    def op_close(self, req, params):
        route = param(params, 'route', (int,), required=True)
        kill = param(params, 'kill', (bool,), False)
        self.post(('close', route, kill))
        return {'route': route}

    # -------------------------------------------------------- frames from chop (reader thread)

    def route_in(self, route, payload):
        """A frame for leaf `route`: queued for its stdin. While that leaf has LEAF_BACKLOG bytes
        waiting, the reader waits for it (flow control for a put), at most its timeout: a leaf that
        does not read its input is ended then, and the other leaves go on."""
        if len(payload) < 5:
            return
        with self.lock:
            leaf = self.leaves.get(route)
            if leaf is None or leaf.ended or leaf.closing:
                return
            op, rid = payload[0], struct.unpack('>I', bytes(payload[1:5]))[0]
            if op == REQ:
                leaf.open_ids.add(rid)
            elif op == SHIPPED:
                leaf.want = False
            limit = time.monotonic() + leaf.timeout
            while len(leaf.queue) > LEAF_BACKLOG and not leaf.ended and time.monotonic() < limit:
                self.lock.wait(0.1)
            if len(leaf.queue) > LEAF_BACKLOG:
                self.commands.append(('fail', route, 'input', (f'the leaf did not read its input for '
                                                            f'{leaf.timeout} s; the gateway ended it')))
            else:
                leaf.queue += HEADER.pack(len(payload), payload[0], rid) + payload[5:]
                self.commands.append(('write', route))
        self.poke()

    # -------------------------------------------------------- the I/O thread

    def post(self, command):
        with self.lock:
            if command:
                self.commands.append(command)
        self.poke()

    def poke(self):
        with contextlib.suppress(OSError, TypeError):
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
        import selectors
        while True:
            events = self.selector.select(self.next_wait())
            for key, mask in events:
                if key.data is None:
                    with contextlib.suppress(OSError):
                        os.read(self.wake[0], 4096)
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
            self.start_waiting(selectors)
            self.check_times()

    def next_wait(self):
        with self.lock:
            busy = any(leaf.kill_at or (leaf.proc and 'out' not in leaf.fds.values())
                       for leaf in self.leaves.values())
        return 0.05 if busy else 0.5

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
            try:
                leaf.proc = subprocess.Popen(leaf.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                             stderr=subprocess.PIPE, start_new_session=True, bufsize=0)
            except OSError as e:
                self.end(leaf, {'fault': 'spawn', 'msg': f'cannot start {leaf.argv[0]} on the gateway: '
                                                         f'{e.strerror or e}'})
                continue
            leaf.request.proc = leaf.proc
            with ACTIVE_LOCK:
                ACTIVE[leaf.request.id] = leaf.request
            leaf.deadline = time.monotonic() + leaf.timeout
            for stream, which in ((leaf.proc.stdout, 'out'), (leaf.proc.stderr, 'err')):
                fd = stream.fileno()
                os.set_blocking(fd, False)
                leaf.fds[fd] = which
                self.selector.register(fd, selectors.EVENT_READ, (leaf, which))
            with self.lock:
                leaf.queue[:0] = leaf.line + self.source
            self.want_write(leaf, selectors)

    def want_write(self, leaf, selectors):
        if leaf.proc is None or leaf.proc.stdin is None:
            return
        fd = leaf.proc.stdin.fileno()
        if fd not in leaf.fds:
            os.set_blocking(fd, False)
            leaf.fds[fd] = 'in'
            self.selector.register(fd, selectors.EVENT_WRITE, (leaf, 'in'))

    def top_up(self, leaf):   # under self.lock
        while leaf.feeds and len(leaf.queue) < LEAF_BACKLOG // 4:
            source, rid, end = leaf.feeds[0]
            chunk = source.read(DEFAULT_CHUNK)
            if chunk:
                leaf.queue += HEADER.pack(5 + len(chunk), DATA, rid) + chunk
            else:
                leaf.queue += HEADER.pack(5 + len(end), END, rid) + end
                source.close()
                leaf.feeds.pop(0)

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
                leaf.proc.stdin.close()

    def unregister(self, leaf, fd):
        if leaf.fds.pop(fd, None) is not None:
            with contextlib.suppress(KeyError, ValueError, OSError):
                self.selector.unregister(fd)

    def read(self, leaf, fd, which):
        try:
            chunk = os.read(fd, LEAF_READ)
        except BlockingIOError:
            return
        except OSError:
            chunk = b''
        if not chunk:
            self.unregister(leaf, fd)
            return
        if which == 'err':
            if leaf.stderr_sent < LEAF_STDERR:
                chunk = chunk[:LEAF_STDERR - leaf.stderr_sent]
                leaf.stderr_sent += len(chunk)
                self.event(leaf, {'stderr': base64.b64encode(chunk).decode('ascii')})
            return
        leaf.pending += chunk
        if not leaf.started:
            at = leaf.pending.find(leaf.marker)
            if at < 0:
                if len(leaf.pending) > LEAF_NOISE + len(leaf.marker):
                    self.fail(leaf, 'login', bytes(leaf.pending[:LEAF_NOISE]))
                return
            self.event(leaf, {'login': base64.b64encode(bytes(leaf.pending[:at])).decode('ascii')})
            del leaf.pending[:at + len(leaf.marker)]
            leaf.started = True
        self.frames(leaf)

    def frames(self, leaf):
        """Pass on every whole frame the leaf sent, each checked as chop checks a host's frames."""
        buf = leaf.pending
        while len(buf) >= 4 and leaf.fault is None:
            length = struct.unpack_from('>I', buf)[0]
            if length < 5 or length > LEAF_FRAME:
                return self.fail(leaf, 'frame', f'bad frame length {length} (must be 5..{LEAF_FRAME})')
            if len(buf) < 4 + length:
                return None
            _, op, rid = HEADER.unpack_from(buf)
            problem = self.check(leaf, op, rid)
            if problem:
                return self.fail(leaf, 'frame', problem)
            frame = bytes(buf[4:4 + length])
            del buf[:4 + length]
            send(ROUTE, leaf.route, frame)
        return None

    def check(self, leaf, op, rid):
        """Why frame (op, rid) from a leaf breaks the protocol, or None."""
        if op == HELLO:
            if leaf.hello:
                return 'a second hello'
            leaf.hello = True
            return None
        if not leaf.hello:
            return f'frame op {op} before the hello'
        if op in (OK, ERR, DATA):
            with self.lock:
                known = rid in leaf.open_ids
                if known and op != DATA:
                    leaf.open_ids.discard(rid)
            return None if known else f'frame op {op} for request {rid}, which chop did not send'
        if op == WANT:
            if leaf.want:
                return 'it asked for shipped code again before it had the last answer'
            leaf.want = True
            return None
        return f'unexpected frame op {op} from host'

    def check_times(self):
        now = time.monotonic()
        for leaf in list(self.leaves.values()):
            if leaf.ended:
                continue
            if leaf.proc is not None and not leaf.hello and leaf.deadline and now > leaf.deadline:
                self.fail(leaf, 'timeout', f'timed out after {leaf.timeout} s')
            elif leaf.kill_at and now > leaf.kill_at:
                leaf.kill_at = None
                self.kill(leaf)
            if leaf.proc is not None and not any(w != 'in' for w in leaf.fds.values()):
                status = leaf.proc.poll()
                if status is not None:
                    self.end(leaf, leaf.fault)

    def fail(self, leaf, fault, msg):
        """The leaf broke a rule: it is ended alone, and chop learns why."""
        if leaf.fault is None:
            if isinstance(msg, bytes):
                leaf.fault = {'fault': fault, 'login': base64.b64encode(msg).decode('ascii')}
            else:
                leaf.fault = {'fault': fault, 'msg': msg}
        self.kill(leaf)
        if leaf.proc is None:
            self.end(leaf, leaf.fault)

    def kill(self, leaf):
        kill_group(leaf.proc)
        for fd in list(leaf.fds):
            if leaf.fds[fd] == 'in':
                self.unregister(leaf, fd)

    def end(self, leaf, fault):
        leaf.ended = True
        for fd in list(leaf.fds):
            self.unregister(leaf, fd)
        with self.lock:
            self.leaves.pop(leaf.route, None)
            leaf.queue.clear()
            for source, _, _ in leaf.feeds:
                source.close()
            leaf.feeds = []
            self.lock.notify_all()
        with ACTIVE_LOCK:
            ACTIVE.pop(leaf.request.id, None)
        status = None
        if leaf.proc is not None:
            status = leaf.proc.wait()
            for stream in (leaf.proc.stdin, leaf.proc.stdout, leaf.proc.stderr):
                with contextlib.suppress(OSError):
                    stream.close()
        event = {'exit': status}
        if not leaf.started and leaf.pending:   # it never started: what it printed is its login text
            event['login'] = base64.b64encode(bytes(leaf.pending[:LEAF_NOISE])).decode('ascii')
        event.update(fault or {})
        self.event(leaf, event)

    def event(self, leaf, obj):
        send(LEAF, leaf.route, to_json(obj))


GATEWAY = Gateway()


@handles('gateway_source', QUICK)
def op_gateway_source(req, params):
    return GATEWAY.op_source(req, params)


@handles('leaf_open', QUICK)
def op_leaf_open(req, params):
    return GATEWAY.op_open(req, params)


@handles('leaf_close', QUICK)
def op_leaf_close(req, params):
    return GATEWAY.op_close(req, params)


@handles('leaf_feed', QUICK)
def op_leaf_feed(req, params):
    return GATEWAY.op_feed(req, params)
