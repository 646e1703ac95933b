import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Where a fetch writes, chunk by chunk, with a running SHA-1. Used from one request's frames in order.
/// `@unchecked Sendable`: FileHandle and the hasher are not Sendable, but every access holds `lock`.
final class FetchSink: @unchecked Sendable {
    let path: String
    private struct State {
        var handle: FileHandle?
        let hasher = SHA1()
        var size = 0
    }
    private var state: State
    private let lock = NIOLock()

    init(localPath: String?) throws {
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
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else {
            throw ErrorResult("cannot write local file \(path)", kind: .local)
        }
        self.path = path
        self.state = State(handle: handle)
    }

    func write(_ chunk: ByteBuffer) throws {
        try lock.withLock {
            let bytes = Data(chunk.readableBytesView)
            try state.handle?.write(contentsOf: bytes)
            state.hasher.update(bytes)
            state.size += bytes.count
        }
    }

    /// Closes the file; returns size and SHA-1 of what was written.
    func finish() throws -> (Int, String) {
        try lock.withLock {
            try state.handle?.close()
            state.handle = nil
            return (state.size, state.hasher.hexDigest())
        }
    }

    /// Removes a partial file after a failure.
    func discard() {
        lock.withLock {
            try? state.handle?.close()
            state.handle = nil
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}
