# chop agent part 70, treeget: directory trees on the wire, and sending a tree to the controller (fetch -r,
# and fetch of a glob). The parts are one program, joined in file-name order (see agent_10_core.py); part 72
# (put -r and sync) uses its path helpers and its compare of the listing's columns (compare_columns).
#
# Paths travel as JSON strings, relative to the tree's root, '/'-separated. A name that is not UTF-8 (Linux
# allows any bytes but '/' and NUL) comes with its exact bytes in base64 beside it ("b" beside "p", "lb"
# beside "l"), so nothing is lost; the agent works on str paths with surrogateescape (os.fsdecode), which
# round-trips those bytes.


# ---------------------------------------------------------------- paths on the wire

def folder_entries(folder, rel_dir, names):
    """(relative path, path, lstat) of each of `names` in `folder`, in their order; `rel_dir` is the folder's
    path under the tree's root. A name that vanished or cannot be read is left out (trees change as they are
    walked)."""
    for name in names:
        rel = f'{rel_dir}/{name}' if rel_dir else name
        path = os.path.join(folder, name)
        try:
            st = os.lstat(path)
        except OSError:
            continue
        yield rel, path, st


def wire_path(entry, name, text):
    """Puts `text` (a str that may hold surrogate escapes) into entry[name], with its bytes beside it when
    they are not UTF-8."""
    try:
        text.encode('utf-8')
        entry[name] = text
    except UnicodeEncodeError:
        raw = os.fsencode(text)
        entry[name] = raw.decode('utf-8', 'replace')
        entry[name + 'b' if name != 'p' else 'b'] = b64(raw)
    return entry


def path_from_wire(entry, name='p'):
    """The str path (surrogateescape) an entry names; refuses one that would climb out of the tree."""
    raw_key = 'b' if name == 'p' else name + 'b'
    if isinstance(entry.get(raw_key), str):
        text = os.fsdecode(base64.b64decode(entry[raw_key]))
    else:
        text = entry.get(name)
        if not isinstance(text, str):
            raise protocol_error(f'tree: entry without a {name!r} path')
    if name == 'p' and (text.startswith('/') or '\0' in text or any(part in ('..',) for part in text.split('/'))):
        raise protocol_error(f'tree: path climbs out of the tree: {text!r}')
    return text


def tree_kind(st):
    mode = st.st_mode
    if (mode & 0o170000) == 0o100000:
        return 'f'
    if (mode & 0o170000) == 0o040000:
        return 'd'
    if (mode & 0o170000) == 0o120000:
        return 'l'
    return 'o'


def tree_tag(tag, obj):
    return tag.encode('ascii') + to_json(obj)


def parse_tagged(payload):
    """(tag, JSON value) of a tagged DATA payload."""
    try:
        return chr(payload[0]), json.loads(bytes(payload[1:]).decode('utf-8'))
    except (IndexError, ValueError) as e:
        raise protocol_error(f'tree: bad DATA frame: {e}')


def same_content(path, size, sha1):
    """True when `path` is a regular file of `size` bytes whose SHA-1 is `sha1`."""
    try:
        with open(path, 'rb') as f:
            if os.fstat(f.fileno()).st_size != size:
                return False
            digest = hashlib.sha1()
            for chunk in iter(lambda: f.read(DEFAULT_CHUNK), b''):
                digest.update(chunk)
        return digest.hexdigest() == sha1
    except OSError:
        return False


def file_sha1(path, req=None):
    """The file's SHA-1; None if req (when given) ends meanwhile: a cancelled --checksum sync stops hashing."""
    digest = hashlib.sha1()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(DEFAULT_CHUNK), b''):
            if req is not None and req.done:
                return None
            digest.update(chunk)
    return digest.hexdigest()


# ---------------------------------------------------------------- tree_get: fetch -r and globs

class TreeSender:
    """Sends a tree (or a glob's matches) to the controller as DATA frames:

        H {entry}                         a folder or symlink (p, k, m, t; l for a link)
        W len4 {entry, sha1, size} bytes  a whole small file
        H {entry} C bytes... E {sha1, size}   a larger file
        X {p, msg}                        a file that could not be read (the rest goes on)
    """

    def __init__(self, req, chunk):
        self.req, self.chunk = req, chunk
        self.files = self.dirs = self.links = self.bytes = self.skipped = 0
        self.failures, self.failure_count = [], 0

    def fail(self, rel, msg):
        self.failure_count += 1
        if len(self.failures) < TreeUpload.MAX_FAILURES:
            self.failures.append(wire_path({'msg': msg}, 'p', rel))
        return self.req.data(tree_tag('X', wire_path({'msg': msg}, 'p', rel)))

    def entry(self, rel, path, st):
        """Sends one entry; False once the request was cancelled."""
        kind = tree_kind(st)
        head = wire_path({'k': kind, 'm': st.st_mode & 0o7777, 't': st.st_mtime_ns}, 'p', rel)
        if kind == 'o':
            self.skipped += 1
            return True
        if kind == 'd':
            self.dirs += 1
            return self.req.data(tree_tag('H', head))
        if kind == 'l':
            try:
                wire_path(head, 'l', os.readlink(path))
            except OSError as e:
                return self.fail(rel, f'cannot read the symlink {path}: {e.strerror}')
            self.links += 1
            return self.req.data(tree_tag('H', head))
        return self.send_file(rel, path, head)

    def send_file(self, rel, path, head):
        try:
            f = open(path, 'rb')   # noqa: SIM115 -- a failed open is one file's failure; `with` follows
        except OSError as e:
            return self.fail(rel, f'cannot read {path}: {e.strerror}')
        with f:
            digest, size = hashlib.sha1(), 0
            try:
                chunk = f.read(self.chunk)
                rest = f.read(self.chunk) if len(chunk) == self.chunk else b''
            except OSError as e:
                return self.fail(rel, f'cannot read {path}: {e.strerror}')
            if not rest:
                digest.update(chunk)
                head.update(sha1=digest.hexdigest(), size=len(chunk))
                header = to_json(head)
                self.files += 1
                self.bytes += len(chunk)
                return self.req.data(b'W' + struct.pack('>I', len(header)) + header + chunk)
            if not self.req.data(tree_tag('H', head)):
                return False
            try:
                while chunk:
                    if not self.req.data(b'C' + chunk):
                        return False
                    digest.update(chunk)
                    size += len(chunk)
                    chunk, rest = rest, (f.read(self.chunk) if rest else b'')
            except OSError as e:
                self.req.data(tree_tag('E', {'sha1': '', 'size': -1}))
                return self.fail(rel, f'cannot read {path}: {e.strerror}')
        self.files += 1
        self.bytes += size
        return self.req.data(tree_tag('E', {'sha1': digest.hexdigest(), 'size': size}))

    def walk(self, root, prefix):
        """Sends `root` (a folder) and everything under it, depth first in name order, named under `prefix`.
        Symlinks are sent as links, never followed, so a link loop is just a link."""
        stack = [(prefix, root)]
        while stack:
            rel_dir, folder = stack.pop()
            try:
                names = sorted(os.listdir(folder))
            except OSError as e:
                if not self.fail(rel_dir, f'cannot list {folder}: {e.strerror}'):
                    return False
                continue
            later = []
            for rel, path, st in folder_entries(folder, rel_dir, names):
                if not self.entry(rel, path, st):
                    return False
                if tree_kind(st) == 'd':
                    later.append((rel, path))
            stack.extend(reversed(later))
        return True

    def result(self, root):
        return {'root': wire_path({}, 'p', root)['p'], 'files': self.files, 'dirs': self.dirs,
                'links': self.links, 'bytes': self.bytes, 'skipped': self.skipped,
                'failures': self.failures, 'failure_count': self.failure_count}


@handles('tree_get')
def op_tree_get(req, params):
    """fetch -r (a folder) or fetch of a glob (its matches, each under its own name)."""
    path = os.path.expanduser(param(params, 'path', (str,), required=True))
    recursive = bool(param(params, 'recursive', (bool,), False))
    chunk = min(max(1, param(params, 'chunk', (int,), DEFAULT_CHUNK)), MAX_FRAME - 1024)
    sender = TreeSender(req, chunk)
    if param(params, 'glob', (bool,), False):
        import glob as globbing
        matches = sorted(globbing.glob(path))
        if not matches:
            raise Failure('FileNotFoundError', f'no file matches {path}')
        for match in matches:
            name, st = os.path.basename(match.rstrip('/')), os.stat(match)
            if tree_kind(st) == 'd':
                if not recursive:
                    sender.fail(name, f'{match} is a directory (fetch -r copies folders)')
                    continue
                if not (sender.entry(name, match, st) and sender.walk(match, name)):
                    return None
            elif not sender.entry(name, match, st):
                return None
        return sender.result(os.path.abspath(os.path.dirname(path)))
    root = os.path.abspath(path)
    try:
        st = os.stat(root)
    except OSError as e:
        raise os_error('fetch', 'read', root, e)
    if tree_kind(st) != 'd':
        raise Failure('NotADirectoryError', f'{root} is a file, not a directory (fetch without -r takes a file)')
    if not (sender.req.data(tree_tag('H', {'p': '', 'k': 'd', 'm': st.st_mode & 0o7777, 't': st.st_mtime_ns}))
            and sender.walk(root, '')):
        return None
    return sender.result(root)


# ---------------------------------------------------------------- tree_put's listing as columns (N frames)

# compare_columns stats a file relative to its folder's descriptor where the platform can.
DIR_FD_STAT = os.stat in getattr(os, 'supports_dir_fd', ()) and os.stat in getattr(os, 'supports_follow_symlinks', ())
DIR_FLAGS = os.O_RDONLY | getattr(os, 'O_DIRECTORY', 0) | getattr(os, 'O_CLOEXEC', 0)


def compare_columns(upload, value, changes):
    """A batch of the listing as columns (an N frame, what chop sends: a third smaller than M's objects, and
    decoded in half the time). A file whose size, mtime and mode agree costs one stat relative to its
    folder, opened once for the folder's files (the kernel walks one name, not the whole path): the agent's
    share of a sync with nothing to do, paid by every host. Anything else goes through compare."""
    try:
        kinds, paths, modes, mtimes, sizes = value['k'], value['p'], value['m'], value['t'], value['s']
        extras = value.get('x') or {}
        special = {int(at) for at in extras}
    except (TypeError, KeyError, AttributeError, ValueError):
        raise protocol_error('tree: an N frame without its columns') from None
    if not isinstance(kinds, str) or not len(kinds) == len(paths) == len(modes) == len(mtimes) == len(sizes):
        raise protocol_error('tree: the columns of an N frame differ in length')
    req, seen, prefix, stat = upload.req, upload.seen, upload.prefix, os.stat
    quick = upload.quick and DIR_FD_STAT
    folder, folder_fd = None, None
    try:
        for at, (kind, rel, mode, mtime, size) in enumerate(zip(kinds, paths, modes, mtimes, sizes)):
            if req.done:   # cancelled: stop comparing at once
                return
            if quick and kind == 'f' and type(rel) is str and rel and '..' not in rel and rel[0] != '/' and \
                    '\0' not in rel and at not in special:
                parent, _, name = rel.rpartition('/')
                if parent != folder:
                    if folder_fd is not None:
                        os.close(folder_fd)
                    folder, folder_fd = parent, None
                    with suppress(OSError):   # not there (yet): compare says what to do
                        folder_fd = os.open(prefix + parent if parent else upload.root, DIR_FLAGS)
                if folder_fd is not None:
                    try:
                        st = stat(name, dir_fd=folder_fd, follow_symlinks=False)
                    except OSError:
                        st = None
                    if st is not None and st.st_mtime_ns == mtime and st.st_size == size and \
                            st.st_mode == 0o100000 | mode & 0o7777:
                        upload.count += 1
                        if seen is not None:
                            seen.add(rel)
                        continue
            entry = {'k': kind, 'p': rel, 'm': mode, 't': mtime, 's': size}
            if at in special:
                entry.update(extras[str(at)])
            upload.compare(entry, changes)
    finally:
        if folder_fd is not None:
            os.close(folder_fd)
