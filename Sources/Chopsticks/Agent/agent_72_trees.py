# chop agent part 72, trees: receiving a tree (put -r, sync). The parts are one program, joined in file-name
# order (see agent_10_core.py); the path helpers and compare_columns are part 70's.


# ---------------------------------------------------------------- tree_put: put -r and sync

class TreeUpload:
    """A put -r or sync in progress. Frames from the controller (DATA, first byte a tag):

        M [entries]        the local tree, a batch at a time, in walk order (the root first, p "")
        N {columns}        the same as columns (what chop sends): k (one letter an entry), p, m, t, s, and
                           x {position: {b, l, lb, h}} for the few entries with more
        Z {}               the whole tree was sent: removals (--delete) are found, then R is answered
        F {i}              the content of wanted entry i follows, C chunks then E {sha1, size}
        C bytes            a chunk of the current file
        E {sha1, size}     the current file ended: checked, then renamed into place
        W len4 {i, sha1, size} bytes   a whole file in one frame (small files)
        X {i, msg}         the controller could not read entry i: it fails, the rest goes on

    and END ends the request. The agent answers with DATA frames D [changes] (the change list, as it is found)
    and R {wanted} (comparing is done), then OK. Comparing (an lstat per entry, a hash each with --checksum)
    can take minutes, so until it is done the frames are queued and handled in order by a worker: the reader
    stays free to answer a CANCEL (Ctrl-C). The content comes after R, and is written on the reader, like
    put's, so bytes are written in order and a slow disk slows the sender."""

    MAX_FAILURES = 200

    def __init__(self, req, params):
        self.req = req
        self.root = os.path.abspath(os.path.expanduser(param(params, 'path', (str,), required=True)))
        self.dry = bool(param(params, 'dry_run', (bool,), False))
        self.delete = bool(param(params, 'delete', (bool,), False))
        self.checksum = bool(param(params, 'checksum', (bool,), False))
        self.force = bool(param(params, 'force', (bool,), False))   # put -r: every file is sent
        self.count = 0          # entries seen
        self.wanted = {}        # entry index -> (path, mode, mtime_ns, relative path)
        self.seen = set() if self.delete else None
        self.dirs = []          # (path, mode) to set once the files are in (a 0555 folder takes no files)
        self.failures, self.failure_count = [], 0
        self.files = self.bytes = self.unchanged = 0
        self.current = None     # [index, fd, tmp, sha1, size] of the file being received
        self.finished_compare = False
        self.prefix = os.path.join(self.root, '')   # + a relative path: the target
        self.quick = not (self.checksum or self.force)   # size and mtime decide
        self.pending = []      # (handler, payload) read while the worker compares (a few frames)
        self.draining = False                # a worker is handling self.pending
        self.pending_lock = _thread.allocate_lock()
        try:
            st = os.stat(self.root)
        except FileNotFoundError:
            st = None
        except OSError as e:
            raise os_error('put', 'read', self.root, e)
        if st is not None and tree_kind(st) != 'd':
            raise Failure('NotADirectoryError', f'{self.root} is a file, not a directory')
        req.cleanup = self.discard

    # -- bookkeeping

    def fail_entry(self, rel, msg):
        self.failure_count += 1
        if len(self.failures) < self.MAX_FAILURES:
            self.failures.append(wire_path({'msg': msg}, 'p', rel))

    def discard(self):
        UPLOADS.pop(self.req.id, None)
        self.drop_current()

    def drop_current(self):
        if self.current is not None:
            fd, tmp = self.current[1], self.current[2]
            self.current = None
            if fd is not None:
                with suppress(OSError):
                    os.close(fd)
            with suppress(OSError):
                os.unlink(tmp)

    def abort(self, failure):
        self.discard()
        self.req.cleanup = None
        self.req.finish(ERR, failure.payload)

    # -- frames

    def data(self, payload):
        self.route(self.handle_data, payload)

    def end(self, payload):
        self.route(self.handle_end, payload)

    def route(self, handler, payload):
        """On the reader: handle a frame here once comparing is over, else queue it for the worker (started
        by the first frame), so every frame is still handled in the order it came."""
        with self.pending_lock:
            queued = self.draining or not self.finished_compare
            if queued:
                self.pending.append((handler, payload))
                start, self.draining = not self.draining, True
        if not queued:
            handler(payload)
        elif start:
            WORKERS.submit(self.drain)

    def drain(self):
        """On a worker: the queued frames, in order, until none is left (or the request was cancelled)."""
        while True:
            with self.pending_lock:
                if not self.pending or self.req.done:
                    del self.pending[:]
                    self.draining = False
                    return
                handler, payload = self.pending.pop(0)
            try:
                handler(payload)
            except BaseException as e:   # noqa: BLE001 -- an agent bug must not take the worker thread with it
                self.abort(Failure(type(e).__name__, f'tree: {e}', traceback.format_exc()))

    def handle_data(self, payload):
        try:
            tag = chr(payload[0]) if payload else ''
            if tag == 'C':
                return self.chunk(memoryview(payload)[1:])
            if tag == 'W':
                length = struct.unpack('>I', bytes(payload[1:5]))[0]
                head = json.loads(bytes(payload[5:5 + length]).decode('utf-8'))
                self.begin(head)
                self.chunk(memoryview(payload)[5 + length:])
                self.end_file(head)
                return None
            tag, value = parse_tagged(payload)
            if tag in ('M', 'N'):
                changes = []
                if tag == 'M':
                    self.compare_all(value, changes)
                else:
                    compare_columns(self, value, changes)
                if changes:
                    self.req.data(tree_tag('D', changes))
            elif tag == 'Z':
                self.finish_compare()
            elif tag == 'F':
                self.begin(value)
            elif tag == 'E':
                self.end_file(value)
            elif tag == 'X':
                self.drop_current()
                spec = self.wanted.pop(value.get('i'), None)
                if spec:
                    self.fail_entry(spec[3], str(value.get('msg')))
            else:
                raise protocol_error(f'tree: unknown DATA tag {tag!r}')
        except Failure as e:
            self.abort(e)
        except (ValueError, TypeError, KeyError, struct.error) as e:
            self.abort(protocol_error(f'tree: bad DATA frame: {e}'))
        return None

    def handle_end(self, payload):
        """END: every wanted file was sent (or failed); folder modes are set, and the totals answered."""
        self.drop_current()
        for rel_spec in self.wanted.values():
            self.fail_entry(rel_spec[3], 'not sent')
        if not self.dry:
            for path, mode in sorted(self.dirs, key=lambda d: -d[0].count('/')):
                with suppress(OSError):
                    os.chmod(path, mode)
        UPLOADS.pop(self.req.id, None)
        self.req.cleanup = None
        self.req.finish(OK, {'root': wire_path({}, 'p', self.root)['p'], 'files': self.files, 'bytes': self.bytes,
                             'unchanged': self.unchanged, 'failures': self.failures,
                             'failure_count': self.failure_count})

    # -- comparing

    def change(self, changes, sign, rel, kind, what, index=None, size=None):
        record = wire_path({'c': sign, 'k': kind, 'w': what}, 'p', rel)
        if index is not None:
            record['i'] = index
        if size is not None:
            record['s'] = size
        changes.append(record)
        if len(changes) >= 1000:
            self.req.data(tree_tag('D', changes))
            del changes[:]

    def compare_all(self, entries, changes):
        """A batch of the listing as objects (an M frame). chop sends columns (N, compare_columns in part 70,
        which has the fast path for unchanged files); M goes entry by entry through compare."""
        for entry in entries:
            if self.req.done:   # cancelled: stop comparing at once
                return
            self.compare(entry, changes)

    def compare(self, entry, changes):
        """One entry of the listing against the host: a single lstat, and nothing more for a file whose size,
        mtime and mode agree (the common case of a sync, so it is the short path)."""
        index = self.count
        self.count += 1
        rel = entry.get('p')
        # A plain name (no bytes in 'b', nothing that could climb out) skips path_from_wire's checks.
        if not isinstance(rel, str) or 'b' in entry or '..' in rel or rel.startswith('/') or '\0' in rel:
            rel = path_from_wire(entry)
        kind, mode = entry.get('k'), int(entry.get('m', 0o644)) & 0o7777
        target = self.prefix + rel if rel else self.root
        if self.seen is not None:
            self.seen.add(rel)
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            st = None
        except OSError as e:
            return self.fail_entry(rel, f'cannot read {target}: {e.strerror}')
        if kind == 'f' and st is not None and self.quick and st.st_mtime_ns == entry.get('t') and \
                st.st_size == entry.get('s') and st.st_mode & 0o177777 == 0o100000 | mode:
            return None   # a regular file, the same size, mtime and mode: unchanged, nothing to set
        have = tree_kind(st) if st else None
        if kind == 'd':
            return self.compare_dir(changes, rel, target, mode, have, st)
        if kind == 'l':
            return self.compare_link(changes, rel, target, entry, have)
        if kind != 'f':
            raise protocol_error(f'tree: unknown entry kind {kind!r}')
        if have == 'd':
            return self.fail_entry(rel, f'{target} is a directory where the tree has a file')
        size, mtime = int(entry.get('s', 0)), int(entry.get('t', 0))
        what = []
        if have != 'f':
            sign = '+' if have is None else '~'
            what = ['content']
        else:
            sign = '~'
            if self.checksum:
                differs = st.st_size != size or file_sha1(target, self.req) != entry.get('h')
            else:
                differs = st.st_size != size or st.st_mtime_ns // 1000000000 != mtime // 1000000000
            if differs:
                what.append('content')
            if st.st_mode & 0o7777 != mode:
                what.append('mode')
            if not differs and not self.dry:
                with suppress(OSError):
                    if what:
                        os.chmod(target, mode)
                    if st.st_mtime_ns != mtime:
                        os.utime(target, ns=(mtime, mtime))
        if (self.force or 'content' in what) and not self.dry:
            # The 5th item: the host had a file there, so an identical copy is left alone (put -r).
            self.wanted[index] = (target, mode, mtime, rel, have == 'f')
        if what:
            self.change(changes, sign, rel, 'f', what, index if index in self.wanted else None, size)
        elif index in self.wanted:   # put -r: sent all the same, no change (so far)
            self.change(changes, '=', rel, 'f', [], index, size)
        return None

    def compare_dir(self, changes, rel, target, mode, have, st):
        if have is None:
            if rel:   # the root itself is no change of its own
                self.change(changes, '+', rel, 'd', [])
            if not self.dry:
                try:
                    (os.mkdir if rel else os.makedirs)(target, 0o700)
                except OSError as e:
                    return self.fail_entry(rel, f'cannot create {target}: {e.strerror}')
        elif have != 'd':
            return self.fail_entry(rel, f'{target} is a file where the tree has a directory')
        elif st.st_mode & 0o7777 != mode and rel:
            self.change(changes, '~', rel, 'd', ['mode'])
        elif st.st_mode & 0o7777 == mode:
            return None   # already right: no chmod at the end
        self.dirs.append((target, mode))
        return None

    def compare_link(self, changes, rel, target, entry, have):
        link = path_from_wire(entry, 'l')
        if have == 'd':
            return self.fail_entry(rel, f'{target} is a directory where the tree has a symlink')
        if have == 'l':
            try:
                if os.readlink(target) == link:
                    return None
            except OSError:
                pass
        self.change(changes, '+' if have is None else '~', rel, 'l', ['link'])
        if self.dry:
            return None
        tmp = os.path.join(os.path.dirname(target), f'.{os.path.basename(target)}.chop-{os.getpid()}')
        try:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
            os.symlink(link, tmp)
            os.rename(tmp, target)
        except OSError as e:
            with suppress(OSError):
                os.unlink(tmp)
            self.fail_entry(rel, f'cannot create the symlink {target}: {e.strerror}')
        return None

    def finish_compare(self):
        changes = []
        if self.delete and os.path.isdir(self.root):
            self.removals(changes)
        self.seen = None
        if changes:
            self.req.data(tree_tag('D', changes))
        self.finished_compare = True
        self.req.data(tree_tag('R', {'wanted': len(self.wanted)}))

    def removals(self, changes):
        """Every entry under the root that the tree lacks: reported, and (unless a dry run) removed."""
        stack = ['']
        while stack:
            rel_dir = stack.pop()
            folder = os.path.join(self.root, rel_dir) if rel_dir else self.root
            try:
                names = sorted(os.listdir(folder))
            except OSError:
                continue
            for rel, path, st in folder_entries(folder, rel_dir, names):
                kind = tree_kind(st)
                if rel in self.seen:
                    if kind == 'd':
                        stack.append(rel)
                    continue
                self.change(changes, '-', rel, kind, [])
                if self.dry:
                    continue
                try:
                    if kind == 'd':
                        shutil_rmtree(path)
                    else:
                        os.unlink(path)
                except OSError as e:
                    self.fail_entry(rel, f'cannot remove {path}: {e.strerror}')

    # -- content

    def begin(self, head):
        self.drop_current()
        index = head.get('i')
        spec = self.wanted.get(index)
        if spec is None:
            raise protocol_error(f'tree: content for entry {index!r}, which was not asked for')
        target, rel = spec[0], spec[3]
        directory, name = os.path.split(target)
        try:
            fd, tmp = temp_beside(directory, name)
        except OSError as e:
            self.wanted.pop(index, None)
            self.fail_entry(rel, f'cannot create a file in {directory}: {e.strerror}')
            self.current = [index, None, '', None, 0]
            return
        size = head.get('size')   # known for a whole file in one frame (W)
        self.current = [index, fd, tmp, sha1_for(size if type(size) is int else -1), 0]

    def chunk(self, data):
        current = self.current
        if current is None or current[1] is None:
            return   # the file failed already: its bytes are dropped
        try:
            write_all(current[1], data)
        except OSError as e:
            spec = self.wanted.pop(current[0], None)
            self.drop_current()
            self.current = [current[0], None, '', None, 0]
            if spec:
                self.fail_entry(spec[3], f'cannot write {spec[0]}: {e.strerror}')
            return
        current[3].update(data)
        current[4] += len(data)

    def end_file(self, head):
        current = self.current
        if current is None:
            raise protocol_error('tree: E without F')
        spec = self.wanted.pop(current[0], None)
        if current[1] is None or spec is None:
            self.current = None
            return None
        target, mode, mtime, rel, existed = spec
        fd, tmp, got = current[1], current[2], current[3].hexdigest()
        if got != str(head.get('sha1')).lower() or current[4] != head.get('size'):
            self.drop_current()
            return self.fail_entry(rel, f'checksum mismatch for {target}')
        try:
            os.fchmod(fd, mode)
            os.utime(fd, ns=(mtime, mtime))
            os.close(fd)
            current[1] = None
            if self.force and existed and same_content(target, current[4], got) and \
                    os.lstat(target).st_mode & 0o7777 == mode:
                self.unchanged += 1
                self.drop_current()
                os.utime(target, ns=(mtime, mtime))
                return None
            os.rename(tmp, target)
        except OSError as e:
            self.drop_current()
            return self.fail_entry(rel, f'cannot install {target}: {e.strerror}')
        self.current = None
        self.files += 1
        self.bytes += current[4]
        return None


def shutil_rmtree(path):
    import shutil
    shutil.rmtree(path)


@handles('tree_put', STREAMED)
def start_tree_put(req, params):
    try:
        UPLOADS[req.id] = TreeUpload(req, params)
    except Failure as e:
        req.finish(ERR, e.payload)
