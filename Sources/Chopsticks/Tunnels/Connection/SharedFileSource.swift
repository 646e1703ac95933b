import Foundation
import NIOCore

/// One local file, read once for every host of a put.
///
/// Each chunk is read and hashed once, then handed to every host still sending: a 100 MiB put to 10 hosts
/// reads and hashes 100 MiB, not 1,000. A chunk is dropped once the slowest host has taken it, and reading stops
/// `window` chunks ahead of that host, so memory stays bounded (16 MiB by default) however many hosts there
/// are. Every host is a consumer that joins before the first chunk is read and leaves when its put ends, however
/// it ends, so a failed host never holds the others back.
actor SharedFileSource {
    /// The file's size when it was opened (the put's "size" parameter).
    let size: Int
    /// The permission bits a copy gets by default (`LocalFile.copyMode`).
    let mode: Int
    private var handle: FileHandle?
    private let path: String
    private let window: Int
    private let hasher = SHA1()
    private var chunks: [Int: ByteBuffer] = [:]
    /// Each consumer's next chunk index.
    private var positions: [Int: Int] = [:]
    private var nextConsumer = 0
    private var readCount = 0
    private var dropped = 0
    private var digest: String?
    private var readError: ErrorResult?
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Opens `path`, failing with the same clear message every host would get.
    init(path: String, window: Int = 64) throws {
        let file = try LocalFile.openForReading(path)
        (self.handle, self.size, self.mode, self.path, self.window) = (file.handle, file.size, file.mode, path, window)
    }

    deinit { try? handle?.close() }

    /// A new consumer, starting at the first chunk. Join every host before any of them reads.
    func join() -> Int {
        precondition(dropped == 0, "a consumer joined after chunks were dropped")
        defer { nextConsumer += 1 }
        positions[nextConsumer] = 0
        return nextConsumer
    }

    /// The consumer's next chunk, or nil at the end of the file (then `sha1` is ready).
    func next(for consumer: Int) async throws -> ByteBuffer? {
        guard let index = positions[consumer] else { throw CancellationError() }
        while true {
            if index < readCount {
                let chunk = chunks[index]
                advance(consumer, to: index + 1)
                return chunk
            }
            if digest != nil { return nil }
            if let readError { throw readError }
            if readCount - dropped >= window {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { waiting.append($0) }
                } onCancel: {
                    Task { await self.wakeAll() }
                }
                try Task.checkCancellation()
                continue
            }
            try readChunk()
        }
    }

    /// The file's SHA-1, once a consumer has reached its end.
    var sha1: String? { digest }

    /// The consumer is done (or failed): it no longer holds chunks back.
    func leave(_ consumer: Int) {
        positions.removeValue(forKey: consumer)
        dropTaken()
    }

    private func readChunk() throws {
        do {
            guard let handle else { throw ErrorResult("\(path) was closed", kind: .local) }
            let data = try handle.read(upToCount: LocalFile.chunkSize) ?? Data()
            if data.isEmpty {
                digest = hasher.hexDigest()
                try? handle.close()
                self.handle = nil
                return
            }
            hasher.update(data)
            chunks[readCount] = ByteBuffer(bytes: data)
            readCount += 1
        } catch let error as ErrorResult {
            readError = error
            throw error
        } catch {
            readError = ErrorResult("cannot read \(path): \(error.localizedDescription)", kind: .local)
            throw readError!
        }
    }

    private func advance(_ consumer: Int, to index: Int) {
        positions[consumer] = index
        dropTaken()
    }

    private func dropTaken() {
        let lowest = positions.values.min() ?? readCount
        guard lowest > dropped else { return }
        while dropped < lowest {
            chunks.removeValue(forKey: dropped)
            dropped += 1
        }
        wakeAll()
    }

    private func wakeAll() {
        let woken = waiting
        waiting.removeAll()
        for continuation in woken { continuation.resume() }
    }
}
