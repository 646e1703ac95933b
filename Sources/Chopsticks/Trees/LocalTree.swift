import Foundation

/// A local directory tree read for `put -r` and `sync`: every folder, file and symlink under the root, parents
/// before their contents, in the order the agent walks its own trees (a folder's entries in byte order, then
/// its subfolders). Symlinks are entries of their own and never followed, so a link loop is one link. Devices,
/// fifos and sockets are skipped and counted.
public struct LocalTree: Sendable {
    /// The root as given, as bytes (`open` takes them as they are).
    public let root: [UInt8]
    public let entries: [TreeEntry]
    /// Devices, fifos and sockets left out.
    public let skipped: Int

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
        var entries = [TreeEntry(path: [], kind: .directory, mode: Int(info.st_mode) & 0o7777, mtime: info.mtimeNs)]
        var skipped = 0
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
                    entries.append(TreeEntry(path: rel, kind: .directory, mode: mode, mtime: st.mtimeNs))
                    later.append(rel)
                case S_IFREG:
                    let sha1 = checksum ? try? Self.sha1(full) : nil
                    entries.append(
                        TreeEntry(
                            path: rel, kind: .file, mode: mode, mtime: st.mtimeNs, size: Int(st.st_size), sha1: sha1))
                case S_IFLNK:
                    entries.append(
                        TreeEntry(path: rel, kind: .symlink, mode: mode, mtime: st.mtimeNs, link: readLink(full)))
                default:
                    skipped += 1
                }
            }
            folders.append(contentsOf: later.reversed())
        }
        return LocalTree(root: root, entries: entries, skipped: skipped)
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
