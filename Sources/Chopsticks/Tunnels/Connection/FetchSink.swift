import Dispatch
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Where a fetch writes, chunk by chunk, with a running SHA-1. Fed from one request's frames in order.
///
/// The bytes go to a new temporary file beside the target (`ReplacingFile`), which gets the remote file's mode
/// and is renamed into place only once the checksum matched: a failed fetch leaves the target as it was.
///
/// Each chunk is written and hashed straight from the buffer NIO read it into (no copy), on a queue of this
/// fetch's own: a slow disk holds up this host alone, never the threads every host's frames are read on. Once
/// `backlogLimit` bytes wait for the disk, the host's reader waits too (`drained`), so its pipe, then ssh,
/// then the far agent slow down instead of filling memory.
/// `@unchecked Sendable`: the file and hasher are used only on `queue`; the counters hold `lock`.
final class FetchSink: @unchecked Sendable {
    let path: String
    /// Bytes read from the host but not yet on disk, at most (then its reader waits).
    static let backlogLimit = 4 << 20
    private var file: ReplacingFile?
    private let hasher = SHA1()
    private var size = 0
    private let queue = DispatchQueue(label: "chop.fetch")
    private struct Backlog {
        var bytes = 0
        var failure: ErrorResult?
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let backlog = NIOLockedValueBox(Backlog())

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
        self.file = try ReplacingFile(path, folderMayBeLink: folderMayBeLink)
    }

    /// Queues `chunk` for the disk; throws the failure of an earlier chunk's write.
    func write(_ chunk: ByteBuffer) throws {
        try backlog.withLockedValue {
            if let failure = $0.failure { throw failure }
            $0.bytes += chunk.readableBytes
        }
        queue.async { self.store(chunk) }
    }

    private func store(_ chunk: ByteBuffer) {
        var failure: ErrorResult?
        chunk.withUnsafeReadableBytes { bytes in
            do {
                try file?.write(bytes)
                hasher.update(bytes)
                size += bytes.count
            } catch {
                failure = ErrorResult(error)
            }
        }
        let ready = backlog.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            state.bytes -= chunk.readableBytes
            if let failure, state.failure == nil { state.failure = failure }
            guard state.bytes <= Self.backlogLimit || state.failure != nil else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in ready { waiter.resume() }
    }

    /// Returns once at most `backlogLimit` bytes wait for the disk (or a write failed): what the host's reader
    /// waits for before it reads the next frame.
    func drained() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let full = backlog.withLockedValue { state in
                let full = state.bytes > Self.backlogLimit && state.failure == nil
                if full { state.waiters.append(waiter) }
                return full
            }
            if !full { waiter.resume() }
        }
    }

    /// Size and SHA-1 of what was written, once every queued chunk is; throws a write's failure.
    func received() async throws -> (Int, String) {
        try await onQueue {
            if let failure = self.backlog.withLockedValue({ $0.failure }) { throw failure }
            return (self.size, self.hasher.hexDigest())
        }
    }

    /// Puts the file in place with the permission bits a copy of a remote file of `mode` gets
    /// (`LocalFile.copyMode`: never wider than the remote file).
    func finish(remoteMode mode: Int) async throws {
        try await onQueue {
            try self.file?.commit(mode: LocalFile.copyMode(of: mode))
            self.file?.close()
            self.file = nil
        }
    }

    /// Removes the partial file after a failure (once the queued chunks are done); the target is left as it was.
    func discard() async {
        await onQueue {
            self.file?.close()
            self.file = nil
        }
    }

    /// Runs `work` on the queue after every chunk queued before, and gives its outcome.
    private func onQueue<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }

    private func onQueue(_ work: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            queue.async {
                work()
                continuation.resume()
            }
        }
    }
}
