# chop agent part 80, gateway: this agent opens the tunnels of the leaves chop put behind it and relays
# their frames (PROTOCOL.txt, "Gateways"). One thread does all the leaves' I/O with a selector, so a
# gateway costs a thread, not three per leaf; every leaf is held to the same bounds chop holds a host
# to (login text, frame size, the protocol's order), and a leaf that breaks them is ended alone.

ROUTE, LEAF = 10, 11
LEAF_NOISE = 65536           # most bytes a leaf may print before its marker (FrameDecoder.maxNoise)
LEAF_STDERR = 1 << 20        # most stderr bytes passed on per leaf; the rest is counted, not sent
LEAF_BACKLOG = 4 << 20       # bytes queued for a leaf's stdin before the reader waits for it
LEAF_READ = 65536            # bytes read from one leaf per turn, so a busy leaf cannot starve the rest
LEAF_FRAME = MAX_FRAME - 5   # a leaf's frame, wrapped in a ROUTE frame, stays within MAX_FRAME
LEAF_ERR_PAUSE = 0.1         # past LEAF_STDERR a leaf's stderr is read once per this many seconds
CHECK_EVERY = 0.5            # seconds between looks at the leaves' timeouts and exits when none is due
LEAF_LENGTH = struct.Struct('>I')   # a ROUTE frame's payload is the leaf's frame after its length
LEAF_ID = struct.Struct('>I')


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
        # The user's agent forwarded to this gateway is not for a leaf added without --forward-agent.
        self.env = None
        if param(params, 'drop_agent', (bool,), False) and 'SSH_AUTH_SOCK' in os.environ:
            self.env = {k: v for k, v in os.environ.items() if k != 'SSH_AUTH_SOCK'}
        self.proc = None
        self.fds = {}             # fd -> 'out' | 'err' | 'in'
        self.pending = bytearray()   # stdout not yet read as frames, or before the marker
        self.started = self.hello = self.want = self.closing = self.ended = False
        self.open_ids = set()     # request ids chop sent that have not ended
        self.queue = bytearray()  # bytes for the leaf's stdin
        self.stdin_fd = None      # its stdin (non-blocking) once started and until closed
        self.feeds = []           # FileFeed, TreeFeedOut, RawFeed: what goes to its stdin after the queue, in turn
        self.stderr_sent = 0
        self.deadline = None
        self.fault = None         # why the gateway ended it: {'fault': word, 'msg': str}
        self.kill_at = None
        self.err_paused = None    # (fd, until): its stderr flooded past LEAF_STDERR and is not read till then
        self.request = Request(('leaf', route), 'leaf')   # in ACTIVE while it runs: shutdown kills it


def leaf_frame(op, rid, payload):
    return HEADER.pack(5 + len(payload), op, rid) + payload


class RawFeed:
    """Frames chop sent for the leaf while a feed was still going: they follow it, in the order sent."""

    def __init__(self, data):
        self.data = data

    def next(self):
        data, self.data = self.data, None
        return data

    def close(self):
        self.data = None


class FileFeed:
    """A file staged here, sent as the DATA and END of the leaf's put request `rid` (leaf_feed)."""

    def __init__(self, source, rid, end):
        self.source, self.rid, self.end = source, rid, end

    def next(self):
        if self.end is None:
            return None
        chunk = self.source.read(DEFAULT_CHUNK)
        if chunk:
            return leaf_frame(DATA, self.rid, chunk)
        end, self.end = self.end, None
        return leaf_frame(END, self.rid, end)

    def close(self):
        self.source.close()


class TreeFeedOut:
    """Files of a tree staged here, sent as the DATA of the leaf's tree_put request `rid` (leaf_tree_feed):
    F, C frames and E for each, as chop sends them; X for a file that cannot be read here. Each staged
    copy is held (STAGED) until this feed is done with it, however early chop unstages it. Used under
    the gateway's lock."""

    def __init__(self, rid, files):
        self.rid, self.files, self.source, self.head, self.path = rid, list(files), None, None, None
        for spec in self.files:
            STAGED.hold(spec[1])

    def tagged(self, tag, value):
        return leaf_frame(DATA, self.rid, tag + to_json(value))

    def next(self):
        if self.source is None:
            if not self.files:
                return None
            index, path, sha1, size = self.files.pop(0)
            try:
                self.source = open(path, 'rb')   # noqa: SIM115 -- closed at its end, or by close()
            except OSError as e:
                STAGED.release(path)
                return self.tagged(b'X', {'i': index, 'msg': f'the gateway lost its copy: {e.strerror or e}'})
            self.head, self.path = {'i': index, 'sha1': sha1, 'size': size}, path
            return self.tagged(b'F', {'i': index})
        chunk = self.source.read(DEFAULT_CHUNK)
        if chunk:
            return leaf_frame(DATA, self.rid, b'C' + chunk)
        self.done_with_file()
        return self.tagged(b'E', self.head)

    def done_with_file(self):
        self.source.close()
        self.source = None
        STAGED.release(self.path)

    def close(self):
        if self.source is not None:
            self.done_with_file()
        for spec in self.files:
            STAGED.release(spec[1])
        self.files = []


class Staged:
    """Copies chop staged on this gateway for its leaves, by path: how many feeds still need each, and
    those chop unstaged meanwhile (removed when the last feed is done). Used under the gateway's lock."""

    def __init__(self):
        self.refs = {}
        self.doomed = set()

    def hold(self, path):
        self.refs[path] = self.refs.get(path, 0) + 1

    def release(self, path):
        left = self.refs.get(path, 1) - 1
        if left > 0:
            self.refs[path] = left
            return
        self.refs.pop(path, None)
        if path in self.doomed:
            self.doomed.discard(path)
            with suppress(OSError):
                os.unlink(path)

    def remove(self, path):
        """Removes path now, or when the last feed using it is done; True if now."""
        if self.refs.get(path):
            self.doomed.add(path)
            return False
        try:
            os.unlink(path)
        except OSError:
            return False
        return True


STAGED = Staged()


class LeafStreams:
    """The leaves' side of a gateway's I/O thread: what each leaf prints, read as chop reads a host (its
    marker, then frames checked one by one), and the frames and news relayed to chop, batched per round."""

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
                self.event(leaf, {'stderr': b64(chunk)})
            else:
                # Past the cap its stderr is dropped, and read only now and then: a leaf that floods it
                # waits on its own full pipe instead of spending this gateway's CPU (and its leaves').
                with suppress(KeyError, ValueError, OSError):
                    self.selector.unregister(fd)
                leaf.err_paused = (fd, time.monotonic() + LEAF_ERR_PAUSE)
                self.check_soon = True
            return
        leaf.pending += chunk
        if not leaf.started:
            at = leaf.pending.find(leaf.marker)
            if at < 0:
                if len(leaf.pending) > LEAF_NOISE + len(leaf.marker):
                    self.fail(leaf, 'login', bytes(leaf.pending[:LEAF_NOISE]))
                return
            self.event(leaf, {'login': b64(bytes(leaf.pending[:at]))})
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
            self.relay(ROUTE, leaf.route, frame)
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

    def fail(self, leaf, fault, msg):
        """The leaf broke a rule: it is ended alone, and chop learns why."""
        if leaf.fault is None:
            if isinstance(msg, bytes):
                leaf.fault = {'fault': fault, 'login': b64(msg)}
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
            leaf.stdin_fd = None   # before it is closed: the reader writes to it under this lock
            leaf.queue.clear()
            for feed in leaf.feeds:
                feed.close()
            leaf.feeds = []
            self.lock.notify_all()
        with ACTIVE_LOCK:
            ACTIVE.pop(leaf.request.id, None)
        status = None
        if leaf.proc is not None:
            status = leaf.proc.wait()
            for stream in (leaf.proc.stdin, leaf.proc.stdout, leaf.proc.stderr):
                with suppress(OSError):
                    stream.close()
        event = {'exit': status}
        if not leaf.started and leaf.pending:   # it never started: what it printed is its login text
            event['login'] = b64(bytes(leaf.pending[:LEAF_NOISE]))
        event.update(fault or {})
        self.event(leaf, event)

    def unregister(self, leaf, fd):
        which = leaf.fds.pop(fd, None)
        if which is not None:
            if which != 'in':   # its output ended: its exit is looked at now
                self.check_soon = True
            with suppress(KeyError, ValueError, OSError):
                self.selector.unregister(fd)

    def event(self, leaf, obj):
        self.relay(LEAF, leaf.route, to_json(obj))

    def relay(self, op, rid, payload):
        """Queues a frame for chop (I/O thread only): one write per round carries every leaf's frames, so
        a thousand answers wake chop a few times, not a thousand."""
        self.outbox += [HEADER.pack(5 + len(payload), op, rid), payload]
        self.outsize += HEADER.size + len(payload)
        if self.outsize > LEAF_BACKLOG:
            self.flush_out()

    def flush_out(self):
        if not self.outbox:
            return
        data, self.outbox, self.outsize = b''.join(self.outbox), [], 0
        try:
            with WRITE_LOCK:
                write_all(OUT_FD, data)
        except OSError:
            shutdown(0, 'chop agent: controller went away')


@handles('gateway_source', QUICK)
def op_gateway_source(req, params):
    data = base64.b64decode(param(params, 'agent_b64', (str,), required=True))
    GATEWAY.source = data
    return {'size': len(data)}
