import Foundation
import NIOCore

/// The files of a tree put that its hosts asked for, each read and hashed once for all of them.
///
/// Why: ten hosts that all need a 50 MiB tree should make chop read 50 MiB, not 500 (as `SharedFileSource` does
/// for one file). Every host of a wave joins, compares its side, then registers the files it wants (or leaves).
/// Once every host has, the files anyone wants are read in tree order, a chunk at a time; a chunk is kept until
/// every host that wants its file took it, and reading stops while `budget` bytes are held, so memory is bounded
/// however many files and hosts there are. The host furthest behind can always go on (every chunk held is one
/// it still needs or lies beyond it), so the budget never deadlocks. Nothing here grows with the tree but one
/// bit a file per host (`TreeBits`): paths come from the listing's frames on disk, one frame at a time.
actor TreeFeed {
    /// One piece of a file: bytes, or its end with the SHA-1 of all of them, or why it could not be read.
    enum Piece: Sendable {
        case bytes(ByteBuffer)
        case end(sha1: String, size: Int, path: [UInt8])
        case failed(String)
    }

    private struct Key: Hashable {
        let file: Int
        let part: Int

        func isAtOrAfter(_ other: Key) -> Bool {
            file > other.file || (file == other.file && part >= other.part)
        }
    }

    private let tree: LocalTree
    private let expected: Int
    private let budget: Int
    private var joined = 0
    /// Hosts that registered or left: reading starts when all `expected` have.
    private var settledHosts: Set<Int> = []
    /// Each active host's wanted files and its position (the next piece it will take).
    private var consumers: [Int: (wanted: TreeBits, at: Key)] = [:]
    /// Files before this one were read or wanted by no one.
    private var nextFile = 0
    /// The listing frame the last path came from, decoded.
    private var frame: (index: Int, paths: [[UInt8]?])?
    private var held: [Key: (piece: Piece, left: Int, bytes: Int)] = [:]
    private var heldBytes = 0
    /// The file being read, its next part, descriptor, hasher and size so far.
    /// `left`: bytes its size said were still to come (negative once it grew while read).
    private var reading: (file: Int, part: Int, fd: CInt, hasher: SHA1, size: Int, path: [UInt8], left: Int)?
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// Files read (a test checks that each is read once for all hosts).
    private(set) var filesRead = 0

    /// A feed for `hosts` hosts over the files of `tree` (only files are ever read).
    init(tree: LocalTree, hosts: Int, budget: Int = 32 << 20) {
        self.tree = tree
        expected = hosts
        self.budget = budget
    }

    deinit {
        if openFD >= 0 { close(openFD) }
    }

    /// The descriptor of the file being read (-1: none), for deinit.
    private var openFD: CInt = -1

    /// A new host of the wave; it must `register` or `leave`.
    func join() -> Int {
        defer { joined += 1 }
        return joined
    }

    /// The host compared and wants these entries (indices into the tree), in increasing order.
    func register(_ consumer: Int, wanted: TreeBits) {
        consumers[consumer] = (wanted, Key(file: wanted.first ?? Int.max, part: 0))
        settle(consumer)
    }

    /// The host is done or failed: it holds nothing back any more. Safe to call more than once.
    func leave(_ consumer: Int) {
        if let state = consumers.removeValue(forKey: consumer) {
            for (key, entry) in held where state.wanted.contains(key.file) && key.isAtOrAfter(state.at) {
                release(key, entry)
            }
            wakeAll()
        } else {
            settle(consumer)
        }
    }

    /// Counts a host as registered or gone, once; reading starts when all of them are.
    private func settle(_ consumer: Int) {
        guard settledHosts.insert(consumer).inserted else { return }
        if settledHosts.count == expected { wakeAll() }
    }

    /// Piece `part` of `file` for `consumer`, waiting for it to be read when needed.
    func piece(for consumer: Int, file: Int, part: Int) async throws -> Piece {
        while true {
            if let piece = try readyPiece(for: consumer, file: file, part: part) { return piece }
            await withTaskCancellationHandler {
                await withCheckedContinuation { waiting.append($0) }
            } onCancel: {
                Task { await self.wakeAll() }
            }
            try Task.checkCancellation()
        }
    }

    /// Piece `part` of `file` for `consumer` when it can be had without waiting (held, or read now), else nil:
    /// a host sends what it holds before it waits (its frames go out a batch at a time).
    func readyPiece(for consumer: Int, file: Int, part: Int) throws -> Piece? {
        let key = Key(file: file, part: part)
        while true {
            guard let state = consumers[consumer], state.wanted.contains(file) else { throw CancellationError() }
            if let entry = held[key] {
                consumers[consumer]!.at = Key(file: file, part: part + 1)
                if case .bytes = entry.piece {} else { consumers[consumer]!.at = Key(file: file + 1, part: 0) }
                release(key, entry)
                return entry.piece
            }
            guard settledHosts.count == expected && heldBytes < budget && held.count < Self.maxPieces && readNext()
            else { return nil }
        }
    }

    private func release(_ key: Key, _ entry: (piece: Piece, left: Int, bytes: Int)) {
        if entry.left <= 1 {
            held.removeValue(forKey: key)
            heldBytes -= entry.bytes
            wakeAll()
        } else {
            held[key] = (entry.piece, entry.left - 1, entry.bytes)
        }
    }

    /// Reads the next piece of the tree's wanted files; false when everything was read.
    private func readNext() -> Bool {
        if reading == nil {
            // The next file an active host still wants (a host that left wants nothing more).
            guard let file = consumers.values.compactMap({ $0.wanted.first(atOrAfter: nextFile) }).min() else {
                return false
            }
            nextFile = file + 1
            let relative: [UInt8]
            do {
                relative = try path(of: file)
            } catch {
                hold(Key(file: file, part: 0), .failed(error.msg), file: file)
                return true
            }
            let path = TreePath.join(tree.root, relative)
            let fd = withPath(path) { open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
            filesRead += 1
            guard fd >= 0 else {
                hold(
                    Key(file: file, part: 0),
                    .failed("cannot read \(TreePath.display(path)): \(String(cString: strerror(errno)))"), file: file)
                return true
            }
            var info = stat()
            let expected = fstat(fd, &info) == 0 ? Int(info.st_size) : LocalFile.chunkSize
            reading = (file, 0, fd, SHA1(), 0, relative, expected)
            openFD = fd
        }
        guard var current = reading else { return false }
        // A chunk is as large as what is left of the file (a small file's piece holds its bytes, not a chunk's
        // worth of memory while the other hosts catch up); a page to find the end; a whole chunk if it grew.
        let want =
            current.left > 0 ? min(LocalFile.chunkSize, current.left) : current.left == 0 ? 4096 : LocalFile.chunkSize
        var buffer = ByteBuffer()
        buffer.reserveCapacity(want + 1)
        buffer.writeInteger(UInt8(ascii: "C"))
        var failure: CInt = 0
        let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: want) { raw in
            while true {
                let count = read(current.fd, raw.baseAddress, want)
                if count >= 0 { return count }
                if errno != EINTR {
                    failure = errno
                    return 0
                }
            }
        }
        if failure != 0 {
            close(current.fd)
            openFD = -1
            reading = nil
            let path = TreePath.display(TreePath.join(tree.root, current.path))
            hold(
                Key(file: current.file, part: current.part),
                .failed("cannot read \(path): \(String(cString: strerror(failure)))"), file: current.file)
            return true
        }
        let key = Key(file: current.file, part: current.part)
        if count > 0 {
            buffer.withUnsafeReadableBytes { current.hasher.update(UnsafeRawBufferPointer(rebasing: $0.dropFirst())) }
            current.size += count
            current.left -= count
            current.part += 1
            reading = current
            hold(key, .bytes(buffer), file: current.file)
        } else {
            close(current.fd)
            openFD = -1
            reading = nil
            hold(
                key, .end(sha1: current.hasher.hexDigest(), size: current.size, path: current.path), file: current.file)
        }
        return true
    }

    /// The relative path of entry `index`, from its listing frame (read from disk when it is another frame).
    private func path(of index: Int) throws(ErrorResult) -> [UInt8] {
        let wanted = index / LocalTree.frameEntries
        if frame?.index != wanted { frame = (wanted, try tree.paths(inFrame: wanted)) }
        let paths = frame!.paths
        let offset = index % LocalTree.frameEntries
        guard offset < paths.count, let path = paths[offset] else {
            throw ErrorResult("the tree's listing has no entry \(index)", kind: .local)
        }
        return path
    }

    /// The active hosts that still want `file` (none of them is past it: files are read in order).
    private func wanters(_ file: Int) -> Int {
        consumers.values.count { $0.wanted.contains(file) }
    }

    private func hold(_ key: Key, _ piece: Piece, file: Int) {
        let count = wanters(file)
        guard count > 0 else { return }
        let bytes: Int
        if case .bytes(let buffer) = piece { bytes = buffer.readableBytes } else { bytes = 0 }
        // Each held piece counts its bookkeeping too, so that many small files are bounded like a few large ones.
        held[key] = (piece, count, bytes + Self.pieceOverhead)
        heldBytes += bytes + Self.pieceOverhead
        wakeAll()
    }

    /// What holding a piece costs beside its bytes (its buffer, its entry in `held`), for the budget.
    static let pieceOverhead = 256
    /// At most this many pieces are held, whatever their size: the hosts of a wave of a tree of small files may
    /// drift this many files apart, not the whole tree (memory flat in the number of files).
    static let maxPieces = 4096

    private func wakeAll() {
        let woken = waiting
        waiting.removeAll()
        for continuation in woken { continuation.resume() }
    }
}
