import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Where a fetch writes, chunk by chunk, with a running SHA-1. Used from one request's frames in order.
///
/// The bytes go to a new temporary file beside the target (`ReplacingFile`), which gets the remote file's mode
/// and is renamed into place only once the checksum matched: a failed fetch leaves the target as it was.
/// `@unchecked Sendable`: the hasher is not Sendable, but every access holds `lock`.
final class FetchSink: @unchecked Sendable {
    let path: String
    private struct State {
        var file: ReplacingFile?
        let hasher = SHA1()
        var size = 0
    }
    private var state: State
    private let lock = NIOLock()

    /// `folderMayBeLink: false` refuses a target folder that is a symlink (one chop named: `./fetched/HOST`).
    init(localPath: String?, folderMayBeLink: Bool = true) throws {
        let path: String
        if let localPath {
            path = localPath
            let folder = (localPath as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            }
        } else {
            path = NSTemporaryDirectory() + "chop-fetch-" + UUID().uuidString
        }
        self.path = path
        self.state = State(file: try ReplacingFile(path, folderMayBeLink: folderMayBeLink))
    }

    func write(_ chunk: ByteBuffer) throws {
        try lock.withLock {
            let bytes = Data(chunk.readableBytesView)
            try state.file?.write(bytes)
            state.hasher.update(bytes)
            state.size += bytes.count
        }
    }

    /// Size and SHA-1 of what was written.
    func received() -> (Int, String) {
        lock.withLock { (state.size, state.hasher.hexDigest()) }
    }

    /// Puts the file in place with the permission bits a copy of a remote file of `mode` gets
    /// (`LocalFile.copyMode`: never wider than the remote file).
    func finish(remoteMode mode: Int) throws {
        try lock.withLock {
            try state.file?.commit(mode: LocalFile.copyMode(of: mode))
            state.file?.close()
            state.file = nil
        }
    }

    /// Removes the partial file after a failure; the target is left as it was.
    func discard() {
        lock.withLock {
            state.file?.close()
            state.file = nil
        }
    }
}
