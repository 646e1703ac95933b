import Foundation
import NIOCore

/// A local directory tree read for `put -r` and `sync`: every folder, file and symlink under the root, parents
/// before their contents, in the order the agent walks its own trees (a folder's entries in byte order, then
/// its subfolders). Symlinks are entries of their own and never followed, so a link loop is one link. Devices,
/// fifos and sockets are skipped and counted.
///
/// Why the listing is not held in memory: a tree of 100,000 files would cost the controller about 100 bytes a
/// file for as long as the hosts take, so the walk writes it as tree_put's N frames (1,000 entries each) to an
/// unlinked temporary file, and each host reads the frames from there (the page cache, not chop's memory).
/// Memory stays flat in the number of files: one frame's entries at a time (`heldEntriesPeak`).
public final class LocalTree: Sendable {
    /// Entries a listing frame carries (the last may carry fewer): entry `i` is in frame `i / frameEntries`.
    static let frameEntries = 1000

    /// The root as given, as bytes (`open` takes them as they are).
    public let root: [UInt8]
    /// Folders, files and symlinks, the root included.
    public let entryCount: Int
    /// Regular files, and their bytes.
    public let fileCount: Int
    public let byteCount: Int
    /// Devices, fifos and sockets left out.
    public let skipped: Int
    /// The most entries the walk held in memory at once (a test checks it stays at one frame's worth).
    public let heldEntriesPeak: Int
    /// The unlinked temporary file holding the listing's frames, and where each starts and how long it is.
    private let spill: CInt
    private let frameSpans: [(offset: Int, length: Int)]

    private init(
        root: [UInt8], counts: (entries: Int, files: Int, bytes: Int, skipped: Int, peak: Int), spill: CInt,
        frames: [(offset: Int, length: Int)]
    ) {
        self.root = root
        (entryCount, fileCount, byteCount, skipped, heldEntriesPeak) =
            (counts.entries, counts.files, counts.bytes, counts.skipped, counts.peak)
        self.spill = spill
        frameSpans = frames
    }

    deinit { close(spill) }

    /// How many listing frames (N) the listing has (then Z).
    public var frameCount: Int { frameSpans.count }

    /// Listing frame `index` (`N` and the entries' columns, see `ListingWriter`), read back from the temporary
    /// file.
    func frame(_ index: Int) throws(ErrorResult) -> ByteBuffer {
        let span = frameSpans[index]
        var buffer = ByteBuffer()
        var failure: CInt = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: span.length) { raw in
            var done = 0
            while done < span.length {
                let count = pread(spill, raw.baseAddress! + done, span.length - done, off_t(span.offset + done))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else {
                    failure = count < 0 ? errno : EIO
                    break
                }
                done += count
            }
            return done
        }
        guard failure == 0 else {
            throw ErrorResult(
                "cannot read the tree's listing back from the temporary folder: \(String(cString: strerror(failure)))",
                kind: .local)
        }
        return buffer
    }

    /// The relative paths of listing frame `index`'s entries, decoded anew (`TreeFeed` keeps the frame it is
    /// reading from).
    func paths(inFrame index: Int) throws(ErrorResult) -> [[UInt8]?] {
        var buffer = try frame(index)
        buffer.moveReaderIndex(forwardBy: 1)
        guard let columns = try? JSONValue.parse(buffer.readableBytesView), let paths = columns["p"]?.arrayValue
        else {
            throw ErrorResult("the tree's listing in the temporary folder is damaged", kind: .local)
        }
        let extras = columns["x"]
        return paths.enumerated().map { at, path in
            TreePath.read(.object(["p": path, "b": extras?[String(at)]?["b"] ?? .null]))
        }
    }

    /// Walks `path`. With `checksum`, each file's SHA-1 is computed (each file read once).
    public static func read(_ path: String, checksum: Bool = false) throws(ErrorResult) -> LocalTree {
        let root = Array(path.utf8)
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw ErrorResult("local folder not found: \(path)", kind: .local)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw ErrorResult(
                "\(path) is not a directory (put -r and sync copy folders; put copies a file)", kind: .local)
        }
        let writer = try ListingWriter()
        do {
            try writer.add(TreeEntry(path: [], kind: .directory, mode: Int(info.st_mode) & 0o7777, mtime: info.mtimeNs))
            var folders: [[UInt8]] = [[]]
            while let folder = folders.popLast() {
                var later: [[UInt8]] = []
                for name in try names(in: TreePath.join(root, folder)) {
                    let rel = folder.isEmpty ? name : folder + [UInt8(ascii: "/")] + name
                    let full = TreePath.join(root, rel)
                    var st = stat()
                    guard withPath(full, { lstat($0, &st) }) == 0 else { continue }
                    let mode = Int(st.st_mode) & 0o7777
                    switch st.st_mode & S_IFMT {
                    case S_IFDIR:
                        try writer.add(TreeEntry(path: rel, kind: .directory, mode: mode, mtime: st.mtimeNs))
                        later.append(rel)
                    case S_IFREG:
                        let sha1 = checksum ? try? Self.sha1(full) : nil
                        try writer.add(
                            TreeEntry(
                                path: rel, kind: .file, mode: mode, mtime: st.mtimeNs, size: Int(st.st_size), sha1: sha1
                            ))
                    case S_IFLNK:
                        try writer.add(
                            TreeEntry(path: rel, kind: .symlink, mode: mode, mtime: st.mtimeNs, link: readLink(full)))
                    default:
                        writer.skipped += 1
                    }
                }
                folders.append(contentsOf: later.reversed())
            }
            try writer.flush()
        } catch {
            close(writer.fd)
            throw error
        }
        return LocalTree(
            root: root,
            counts: (writer.entries, writer.files, writer.bytes, writer.skipped, writer.peak), spill: writer.fd,
            frames: writer.frames)
    }

    /// The walk's output: entries a frame at a time, appended to an unlinked temporary file.
    ///
    /// A frame is tree_put's N: the entries as columns (`k` one letter an entry, `p`, `m`, `t`, `s`, and `x`
    /// for the few with more: a name that is not UTF-8, a link's target, a SHA-1), not M's object an entry:
    /// a third fewer bytes for each host, and the agent decodes it in half the time (PROTOCOL.txt).
    private final class ListingWriter {
        let fd: CInt
        var frames: [(offset: Int, length: Int)] = []
        var batch: [TreeEntry] = []
        var (entries, files, bytes, skipped, peak, offset) = (0, 0, 0, 0, 0, 0)
        let json = JSONWriter(nonFinite: .token)

        init() throws(ErrorResult) {
            let folder = NSTemporaryDirectory()
            var template = Array((folder + (folder.hasSuffix("/") ? "" : "/") + "chop-tree-XXXXXX").utf8CString)
            let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard fd >= 0 else {
                throw ErrorResult(
                    "cannot write the tree's listing in \(folder): \(String(cString: strerror(errno))) (set TMPDIR to a "
                        + "writable folder)", kind: .local)
            }
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)  // commands chop starts do not inherit it
            self.fd = fd
        }

        func add(_ entry: TreeEntry) throws(ErrorResult) {
            entries += 1
            if entry.kind == .file {
                files += 1
                bytes += entry.size
            }
            batch.append(entry)
            peak = max(peak, batch.count)
            if batch.count == LocalTree.frameEntries { try flush() }
        }

        /// `entries` as an N frame's columns.
        static func columns(_ entries: [TreeEntry]) -> JSONValue {
            var kinds = ""
            var (paths, modes, mtimes, sizes) = ([JSONValue](), [JSONValue](), [JSONValue](), [JSONValue]())
            var extras: [String: JSONValue] = [:]
            for (at, entry) in entries.enumerated() {
                let (path, extra) = entry.wire
                kinds += entry.kind.rawValue
                paths.append(path)
                modes.append(.int(Int64(entry.mode)))
                mtimes.append(.int(entry.mtime))
                sizes.append(.int(Int64(entry.size)))
                if !extra.isEmpty { extras[String(at)] = .object(extra) }
            }
            var columns: [String: JSONValue] = [
                "k": .string(kinds), "p": .array(paths), "m": .array(modes), "t": .array(mtimes), "s": .array(sizes),
            ]
            if !extras.isEmpty { columns["x"] = .object(extras) }
            return .object(columns)
        }

        func flush() throws(ErrorResult) {
            guard !batch.isEmpty else { return }
            let frame = [UInt8(ascii: "N")] + json.bytes(Self.columns(batch))
            batch.removeAll(keepingCapacity: true)
            let failure = frame.withUnsafeBytes { writeAll(fd, $0) }
            guard failure == 0 else {
                throw ErrorResult(
                    "cannot write the tree's listing in \(NSTemporaryDirectory()): "
                        + "\(String(cString: strerror(failure))) (set TMPDIR to a folder with room)",
                    kind: .local)
            }
            frames.append((offset, frame.count))
            offset += frame.count
        }
    }

    /// The names in a folder, sorted by their bytes, without `.` and `..`.
    static func names(in folder: [UInt8]) throws(ErrorResult) -> [[UInt8]] {
        guard let dir = withPath(folder, { opendir($0) }) else {
            throw ErrorResult(
                "cannot list local folder \(TreePath.display(folder)): \(String(cString: strerror(errno)))",
                kind: .local)
        }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let item = readdir(dir) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(name)
        }
        return names.sorted { $0.lexicographicallyPrecedes($1) }
    }

    static func readLink(_ path: [UInt8]) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = withPath(path) { readlink($0, &buffer, 4096) }
        return count > 0 ? buffer.prefix(count).map { UInt8(bitPattern: $0) } : []
    }

    /// The SHA-1 of a local file, read in chunks.
    static func sha1(_ path: [UInt8]) throws(ErrorResult) -> String {
        let fd = withPath(path) { open($0, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        guard fd >= 0 else {
            throw ErrorResult(
                "cannot read \(TreePath.display(path)): \(String(cString: strerror(errno)))", kind: .local)
        }
        defer { close(fd) }
        let hasher = SHA1()
        var buffer = [UInt8](repeating: 0, count: LocalFile.chunkSize)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            hasher.update(buffer[0..<count])
        }
        return hasher.hexDigest()
    }
}

/// Calls `body` with `bytes` as a NUL-terminated C string (a path that may not be UTF-8).
func withPath<T>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws -> T) rethrows -> T {
    try (bytes + [0]).withUnsafeBufferPointer { buffer in
        try buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) { try body($0) }
    }
}

extension stat {
    /// st_mtim in nanoseconds since the epoch.
    var mtimeNs: Int64 { Int64(st_mtim.tv_sec) * 1_000_000_000 + Int64(st_mtim.tv_nsec) }
}
