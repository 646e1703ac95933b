import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Where `fetch -r` (or a glob) writes a host's tree, from the agent's tree_get frames, in order.
///
/// Every file goes to a temporary name beside its target and is renamed into place once its SHA-1 matched, with
/// the remote file's permission bits as the umask allows (never wider) and its mtime. The host is not trusted:
/// a path that climbs out (`..`, absolute), a symlink that points out of the tree, or a write through a symlink
/// already in the tree is refused, so nothing lands outside the root. One file's failure is recorded and the
/// rest go on. `@unchecked Sendable`: every access holds `lock` (frames arrive one at a time anyway).
final class TreeSink: @unchecked Sendable {
    private struct Receiving {
        var rel: [UInt8]
        var fd: CInt
        var temporary: [UInt8]
        var target: [UInt8]
        let hasher = SHA1()
        var size = 0
        var mode: Int
        var mtime: Int64
    }

    private let lock = NIOLock()
    private let root: [UInt8]
    private var result: TreeResult
    private var folders: [([UInt8], Int)] = []
    private var current: Receiving?
    /// The root did not exist before: a host that fails before sending anything leaves no empty folder.
    private let createdRoot: Bool
    /// The last folder known to be a real folder inside the root (no symlink on the way).
    private var checkedFolder: [UInt8] = []

    /// Makes `root` (and the folders above it) when missing.
    init(root: String) throws {
        createdRoot = !FileManager.default.fileExists(atPath: root)
        do {
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        } catch {
            throw ErrorResult("cannot create local folder \(root): \(error.localizedDescription)", kind: .local)
        }
        var info = stat()
        guard lstat(root, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw ErrorResult("cannot write in \(root): it is a symlink or not a folder; remove it", kind: .local)
        }
        self.root = Array(root.utf8)
        self.result = TreeResult(root: root)
    }

    /// One DATA frame of tree_get. Throws (ending the host) only when the host breaks the rules.
    func receive(_ buffer: ByteBuffer) throws {
        try lock.withLock {
            var buffer = buffer
            guard let tag = buffer.readInteger(as: UInt8.self) else {
                throw ErrorResult("protocol error: empty tree_get frame", kind: .protocol)
            }
            switch tag {
            case UInt8(ascii: "C"):
                write(buffer.readableBytesView)
            case UInt8(ascii: "W"):
                guard let length = buffer.readInteger(as: UInt32.self),
                    let head = buffer.readSlice(length: Int(length)).flatMap({
                        try? JSONValue.parse($0.readableBytesView)
                    })
                else { throw ErrorResult("protocol error: bad tree_get file frame", kind: .protocol) }
                try begin(head)
                write(buffer.readableBytesView)
                end(head)
            case UInt8(ascii: "H"), UInt8(ascii: "E"), UInt8(ascii: "X"):
                guard let value = try? JSONValue.parse(buffer.readableBytesView) else {
                    throw ErrorResult("protocol error: unreadable tree_get frame", kind: .protocol)
                }
                if tag == UInt8(ascii: "H") {
                    try header(value)
                } else if tag == UInt8(ascii: "E") {
                    end(value)
                } else {
                    let path = TreePath.read(value) ?? []
                    result.addFailure(path, value["msg"]?.stringValue ?? "failed")
                }
            default:
                throw ErrorResult("protocol error: unknown tree_get frame tag \(tag)", kind: .protocol)
            }
        }
    }

    /// The result, once the host answered: folder modes set (deepest first), totals from the host's reply.
    func finish(skipped: Int) -> TreeResult {
        lock.withLock {
            abandon()
            for (path, mode) in folders.sorted(by: { $0.0.count > $1.0.count }) {
                _ = withPath(path) { chmod($0, mode_t(LocalFile.copyMode(of: mode))) }
            }
            result.skipped = skipped
            return result
        }
    }

    /// The host failed or was interrupted: a file half received is removed; what is in place stays.
    func discard() {
        lock.withLock {
            abandon()
            if createdRoot { _ = withPath(root) { rmdir($0) } }  // only when still empty
        }
    }

    // MARK: Entries

    private func header(_ head: JSONValue) throws {
        let rel = try checkedPath(head)
        let full = TreePath.join(root, rel)
        switch head["k"]?.stringValue {
        case "d":
            if !rel.isEmpty {
                var info = stat()
                if withPath(full, { lstat($0, &info) }) == 0 {
                    guard info.st_mode & S_IFMT == S_IFDIR else {
                        return result.addFailure(rel, "\(TreePath.display(full)) is a file where the tree has a folder")
                    }
                } else if withPath(full, { mkdir($0, 0o700) }) != 0 {
                    return result.addFailure(
                        rel, "cannot create \(TreePath.display(full)): \(String(cString: strerror(errno)))")
                }
            }
            folders.append((full, Int(head["m"]?.intValue ?? 0o755)))
        case "l":
            guard let target = TreePath.read(head, key: "l", rawKey: "lb"),
                TreePath.linkStaysInside(rel, target: target)
            else {
                return result.addFailure(rel, "refused the symlink \(TreePath.display(rel)): it points out of the tree")
            }
            let temporary = temporaryName(for: full)
            guard withPath(target, { to in withPath(temporary) { symlink(to, $0) } }) == 0,
                withPath(temporary, { from in withPath(full) { rename(from, $0) } }) == 0
            else {
                let reason = String(cString: strerror(errno))
                _ = withPath(temporary) { unlink($0) }
                return result.addFailure(rel, "cannot create the symlink \(TreePath.display(full)): \(reason)")
            }
        case "f":
            try begin(head)
        default:
            throw ErrorResult("protocol error: tree_get entry of unknown kind", kind: .protocol)
        }
    }

    /// The entry's path, refused when it would climb out of the root or pass through a symlink.
    private func checkedPath(_ head: JSONValue) throws -> [UInt8] {
        guard let rel = TreePath.read(head), TreePath.isContained(rel) else {
            throw ErrorResult(
                "protocol error: the host sent a path that climbs out of the tree: "
                    + (head["p"]?.stringValue ?? "?"), kind: .protocol)
        }
        let parent = Array(rel.split(separator: UInt8(ascii: "/")).dropLast().joined(separator: [UInt8(ascii: "/")]))
        if parent != checkedFolder && !parent.isEmpty {
            var walked: [UInt8] = []
            for part in parent.split(separator: UInt8(ascii: "/")) {
                walked += (walked.isEmpty ? [] : [UInt8(ascii: "/")]) + part
                var info = stat()
                let full = TreePath.join(root, walked)
                guard withPath(full, { lstat($0, &info) }) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                    throw ErrorResult(
                        "protocol error: the host sent \(TreePath.display(rel)) inside something that is not a "
                            + "folder here (a symlink?)", kind: .protocol)
                }
            }
            checkedFolder = parent
        }
        return rel
    }

    private func temporaryName(for full: [UInt8]) -> [UInt8] {
        let cut = full.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
        let suffix = Array(".chop-\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)".utf8)
        return Array(full[..<cut]) + [UInt8(ascii: ".")] + full[cut...].prefix(200) + suffix
    }

    // MARK: Files

    private func begin(_ head: JSONValue) throws {
        abandon()
        let rel = try checkedPath(head)
        let full = TreePath.join(root, rel)
        let temporary = temporaryName(for: full)
        let fd = withPath(temporary) { open($0, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600) }
        guard fd >= 0 else {
            return result.addFailure(rel, "cannot write \(TreePath.display(full)): \(String(cString: strerror(errno)))")
        }
        current = Receiving(
            rel: rel, fd: fd, temporary: temporary, target: full, mode: Int(head["m"]?.intValue ?? 0o644),
            mtime: head["t"]?.intValue ?? 0)
    }

    private func write(_ bytes: ByteBufferView) {
        guard var file = current else { return }
        let failure = bytes.withUnsafeBytes { writeAll(file.fd, $0) }
        if failure != 0 {
            abandon()
            return result.addFailure(
                file.rel, "cannot write \(TreePath.display(file.target)): \(String(cString: strerror(failure)))")
        }
        bytes.withUnsafeBytes { file.hasher.update(UnsafeRawBufferPointer($0)) }
        file.size += bytes.count
        current = file
    }

    private func end(_ head: JSONValue) {
        guard let file = current else { return }
        current = nil
        let sha1 = file.hasher.hexDigest()
        guard head["sha1"]?.stringValue == sha1, head["size"]?.intValue == Int64(file.size) else {
            close(file.fd)
            _ = withPath(file.temporary) { unlink($0) }
            if head["size"]?.intValue != -1 {
                result.addFailure(file.rel, "checksum mismatch for \(TreePath.display(file.target))")
            }
            return
        }
        let seconds = file.mtime / 1_000_000_000
        let times = [
            timespec(tv_sec: Int(seconds), tv_nsec: (1 << 30) - 2),
            timespec(tv_sec: Int(seconds), tv_nsec: Int(file.mtime - seconds * 1_000_000_000)),
        ]
        let ok =
            fchmod(file.fd, mode_t(LocalFile.copyMode(of: file.mode))) == 0 && futimens(file.fd, times) == 0
            && withPath(file.temporary, { from in withPath(file.target) { rename(from, $0) } }) == 0
        let reason = String(cString: strerror(errno))
        close(file.fd)
        guard ok else {
            _ = withPath(file.temporary) { unlink($0) }
            return result.addFailure(file.rel, "cannot install \(TreePath.display(file.target)): \(reason)")
        }
        result.add(TreeResult.File(path: file.rel, size: file.size, sha1: sha1))
    }

    private func abandon() {
        if let file = current {
            close(file.fd)
            _ = withPath(file.temporary) { unlink($0) }
            current = nil
        }
    }
}
