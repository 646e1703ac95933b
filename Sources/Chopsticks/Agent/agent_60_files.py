# chop agent part 60, files: put and fetch. The parts are one program, joined in file-name order.


# ---------------------------------------------------------------- files beside their target, SHA-1

def temp_beside(directory, name):
    """(fd, path) of a new empty file `.NAME.chop-RANDOM` in `directory`, mode 0600, for bytes that are renamed
    over NAME once checked: tempfile.mkstemp's job without importing tempfile, which costs a host more CPU than
    a sync of one changed file does otherwise."""
    for _ in range(100):
        path = os.path.join(directory, f'.{name}.chop-{os.urandom(6).hex()}')
        try:
            return os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), path
        except FileExistsError:
            continue
    raise FileExistsError(f'no free temporary name in {directory}')


SMALL_SHA1_BYTES = [1 << 20]   # what _sha1 may still hash before importing hashlib pays off


def sha1_for(size):
    """A SHA-1 object for `size` bytes (-1: not known). hashlib loads OpenSSL (several ms of a host's CPU,
    which a sync of one changed file would pay on every host); CPython's own _sha1 is there at once but
    hashes eight times slower, so it takes small files until a MiB went through it, and hashlib the rest."""
    if 0 <= size <= SMALL_SHA1_BYTES[0] and 'hashlib' not in sys.modules:
        try:
            import _sha1
        except ImportError:
            return hashlib.sha1()
        SMALL_SHA1_BYTES[0] -= size
        return _sha1.sha1()
    return hashlib.sha1()


# ---------------------------------------------------------------- put, fetch

class Upload:
    """A put in progress: DATA goes to a temp file, END checks it and renames it into place."""

    def __init__(self, req, params):
        path = param(params, 'path', (str,))
        self.mode = param(params, 'mode', (int,))
        self.size = param(params, 'size', (int,))
        self.req, self.target, self.fd = req, None, None
        if path is None:
            self.fd, self.tmp = tempfile.mkstemp(prefix='chop-')
        else:
            self.target = os.path.abspath(os.path.expanduser(path))
            if os.path.isdir(self.target):
                raise Failure('IsADirectoryError', f'put: {self.target} is a directory')
            directory, name = os.path.split(self.target)
            if not os.path.isdir(directory):
                raise Failure('FileNotFoundError', f'put: directory does not exist: {directory}')
            try:
                self.fd, self.tmp = temp_beside(directory, name)
            except OSError as e:
                raise os_error('put', 'create a file in', directory, e)
            if self.mode is None:
                self.mode = 0o644
        self.tmp = os.path.abspath(self.tmp)
        self.sha1, self.received = hashlib.sha1(), 0
        req.cleanup = self.discard

    def discard(self):
        UPLOADS.pop(self.req.id, None)
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
        with suppress(OSError):
            os.unlink(self.tmp)

    def fail(self, failure):
        self.discard()
        self.req.finish(ERR, failure.payload)

    def data(self, chunk):
        try:
            write_all(self.fd, chunk)
        except OSError as e:
            return self.fail(os_error('put', 'write', self.target or self.tmp, e))
        self.sha1.update(chunk)
        self.received += len(chunk)
        return None

    def end(self, payload):
        try:
            expect = json.loads(payload.decode('utf-8'))
            want_sha1, want_size = str(expect['sha1']).lower(), expect['size']
        except (ValueError, KeyError, TypeError):
            return self.fail(protocol_error('put: END payload must be {"sha1": hex, "size": int}'))
        got_sha1, path = self.sha1.hexdigest(), self.target or self.tmp
        if got_sha1 != want_sha1 or want_size != self.received or self.size not in (None, self.received):
            return self.fail(Failure('ChecksumError', (
                f'checksum mismatch for {path}: expected sha1 {want_sha1} and {want_size} bytes, '
                f'received sha1 {got_sha1} and {self.received} bytes')))
        changed = True
        try:
            if self.mode is not None:
                os.fchmod(self.fd, self.mode)
            os.close(self.fd)
            self.fd = None
            if self.target:
                # The same bytes and mode already there: nothing is written (the put is 'unchanged').
                changed = not (same_content(self.target, self.received, got_sha1)
                               and os.stat(self.target).st_mode & 0o7777 == self.mode)
                if changed:
                    os.rename(self.tmp, self.target)
                else:
                    os.unlink(self.tmp)
        except OSError as e:
            return self.fail(os_error('put', 'install', path, e))
        UPLOADS.pop(self.req.id, None)
        self.req.cleanup = None
        self.req.finish(OK, {'remote_path': path, 'size': self.received, 'sha1sum': got_sha1, 'mode': self.mode,
                             'changed': changed})
        return None


@handles('put', STREAMED)
def start_put(req, params):
    try:
        UPLOADS[req.id] = Upload(req, params)
    except Failure as e:
        req.finish(ERR, e.payload)   # later DATA/END for this id find no upload: ignored
    except OSError as e:
        req.finish(ERR, os_error('put', 'create', 'a temporary file', e).payload)


@handles('fetch')
def op_fetch(req, params):
    path = os.path.abspath(os.path.expanduser(param(params, 'path', (str,), required=True)))
    chunk_size = min(max(1, param(params, 'chunk', (int,), DEFAULT_CHUNK)), MAX_FRAME - 5)
    sha1, size = hashlib.sha1(), 0
    # Each chunk is read into one buffer and sent from it (send writes it before it returns): a new bytes object
    # a chunk had the allocator map and unmap 256 KiB each time, page faults that cost more than the copy.
    buf = bytearray(chunk_size)
    view = memoryview(buf)
    try:
        with open(path, 'rb', buffering=0) as f:
            mode = os.fstat(f.fileno()).st_mode & 0o7777   # the copy is never wider than the source
            while True:
                count = f.readinto(buf)
                if not count:
                    break
                chunk = view[:count]
                if not req.data(chunk):
                    return None   # cancelled
                sha1.update(chunk)
                size += count
    except OSError as e:
        raise os_error('fetch', 'read', path, e)
    return {'remote_path': path, 'size': size, 'sha1sum': sha1.hexdigest(), 'mode': mode}
