# chop agent part 70, treeget: directory trees on the wire, and sending a tree to the controller (fetch -r,
# and fetch of a glob). The parts are one program, joined in file-name order (see agent_10_core.py); part 72
# (put -r and sync) uses its path helpers.
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
