import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// How a tree is put: `put -r` sends every file; `sync` only what differs, and can remove what the tree lacks.
public struct TreeOptions: Sendable, Hashable {
    /// Remove what the host has under the folder and the tree does not (`sync --delete`).
    public var delete = false
    /// Compare files by SHA-1 rather than size and mtime (`sync --checksum`).
    public var checksum = false
    /// Compare and report, touch nothing (`sync --dry-run`).
    public var dryRun = false
    /// Send every file, changed or not (`put -r`); a file the host has byte for byte is left as it was.
    public var everyFile = false

    public init(delete: Bool = false, checksum: Bool = false, dryRun: Bool = false, everyFile: Bool = false) {
        (self.delete, self.checksum, self.dryRun, self.everyFile) = (delete, checksum, dryRun, everyFile)
    }
}

extension Tunnel {
    /// Puts `tree` under `remoteRoot` on this host: sends the tree's listing (tree_put's N frames, read back
    /// from the tree's temporary file one at a time, then Z), hears the host's change list, then sends the files
    /// it wants from `feed` (shared with the other hosts of its wave) as `consumer`. The consumer always leaves
    /// the feed, however this ends.
    func putTree(
        _ tree: LocalTree, to remoteRoot: String, options: TreeOptions, feed: TreeFeed, consumer: Int
    ) async throws -> TreeResult {
        if let leaf = kind as? GatewayLeaf {
            return try await putTree(
                through: leaf, tree, to: remoteRoot, options: options, feed: feed, consumer: consumer)
        }
        return try await treePut(tree, to: remoteRoot, options: options, feed: feed, consumer: consumer) {
            wanted, collector, id, connection in
            await feed.register(consumer, wanted: wanted)
            var outbox = TreeOutbox(id: id, connection: connection)
            for index in wanted {
                try await Self.sendFile(index, from: feed, as: consumer, into: &outbox).map { collector.sent($0) }
            }
            try await outbox.flush()
            await feed.leave(consumer)
            try await connection.sendData(id, .end, ByteBuffer(string: "{}"))
        }
    }

    /// tree_put on this host, direct or through a gateway: sends the listing (the tree's N frames, then Z),
    /// hears the host's change list, then lets `send` deliver the files it wants (and end the request's data);
    /// returns the host's result. The consumer leaves the feed however this ends.
    func treePut(
        _ tree: LocalTree, to remoteRoot: String, options: TreeOptions, feed: TreeFeed, consumer: Int,
        send: @escaping @Sendable (TreeBits, TreeCompare, UInt32, AgentConnection) async throws -> Void
    ) async throws -> TreeResult {
        let collector = TreeCompare()
        let params = Self.treePutParams(remoteRoot, options)
        do {
            // The listing (hundreds of KB) and the files fill the pipe to ssh: widened, as for a put.
            let reply = try await perform { connection in
                try await connection.widened(toHost: true) {
                    try await connection.request(
                        "tree_put", params, reply: Reply.Tree.self, onData: { try collector.receive($0) },
                        body: { id, connection in
                            for frame in 0..<tree.frameCount {
                                try await connection.sendData(id, .data, try tree.frame(frame))
                            }
                            try await connection.sendData(id, .data, ByteBuffer(string: "Z{}"))
                            try await send(await collector.compared() ?? TreeBits(), collector, id, connection)
                        }, ended: { collector.end() })
                }
            }
            await feed.leave(consumer)
            return Self.treeResult(reply, from: collector, tree: tree, options: options)
        } catch {
            await feed.leave(consumer)
            throw error
        }
    }

    /// tree_put's parameters for `options` (a dry run forces nothing), for a host direct or behind a gateway.
    static func treePutParams(_ remoteRoot: String, _ options: TreeOptions) -> [String: JSONValue] {
        [
            "path": .string(remoteRoot), "delete": .bool(options.delete), "checksum": .bool(options.checksum),
            "dry_run": .bool(options.dryRun), "force": .bool(options.everyFile && !options.dryRun),
        ]
    }

    /// A host's result: the changes `collector` heard, with the counts and failures of the agent's reply.
    static func treeResult(
        _ reply: Reply.Tree, from collector: TreeCompare, tree: LocalTree, options: TreeOptions
    ) -> TreeResult {
        var result = collector.result(root: reply.root)
        result.fileCount = reply.files
        result.byteCount = reply.bytes
        result.unchanged = reply.unchanged ?? 0
        result.dryRun = options.dryRun
        result.skipped = tree.skipped
        addFailures(reply, to: &result)
        return result
    }

    static func addFailures(_ reply: Reply.Tree, to result: inout TreeResult) {
        for failure in reply.failures {
            result.addFailure(TreePath.read(failure) ?? [], failure["msg"]?.stringValue ?? "failed")
        }
        result.failureCount = max(result.failureCount, reply.failureCount)
    }

    /// Sends entry `index`: one frame for a file of one chunk, else F, C… and E; X when it cannot be read here.
    /// The frames wait in `outbox`, which is written when it is full or before this host waits for the feed.
    private static func sendFile(
        _ index: Int, from feed: TreeFeed, as consumer: Int, into outbox: inout TreeOutbox
    ) async throws -> TreeResult.File? {
        let writer = JSONWriter(nonFinite: .token)
        func tagged(_ tag: UInt8, _ value: JSONValue) -> ByteBuffer {
            ByteBuffer(bytes: [tag] + writer.bytes(value))
        }
        var part = 0
        var first: ByteBuffer?
        while true {
            let piece: TreeFeed.Piece
            if let ready = try await feed.readyPiece(for: consumer, file: index, part: part) {
                piece = ready
            } else {
                try await outbox.flush()
                piece = try await feed.piece(for: consumer, file: index, part: part)
            }
            part += 1
            switch piece {
            case .failed(let message):
                try await outbox.add(tagged(UInt8(ascii: "X"), ["i": .int(Int64(index)), "msg": .string(message)]))
                return nil
            case .bytes(let chunk):
                if let held = first {
                    first = nil
                    try await outbox.add(tagged(UInt8(ascii: "F"), ["i": .int(Int64(index))]))
                    try await outbox.add(held)
                }
                if part == 1 {
                    first = chunk
                } else {
                    try await outbox.add(chunk)
                }
            case .end(let sha1, let size, let path):
                let end: JSONValue = ["i": .int(Int64(index)), "sha1": .string(sha1), "size": .int(Int64(size))]
                if part <= 2 {
                    let header = writer.bytes(end)
                    var frame = ByteBuffer()
                    frame.reserveCapacity(5 + header.count + (first?.readableBytes ?? 0))
                    frame.writeInteger(UInt8(ascii: "W"))
                    frame.writeInteger(UInt32(header.count))
                    frame.writeBytes(header)
                    if var held = first {
                        held.moveReaderIndex(forwardBy: 1)
                        frame.writeBuffer(&held)
                    }
                    try await outbox.add(frame)
                } else {
                    try await outbox.add(tagged(UInt8(ascii: "E"), end))
                }
                return TreeResult.File(path: path, size: size, sha1: sha1)
            }
        }
    }

    /// Copies the folder `remotePath` (or, with `glob`, the pattern's matches, each under its name) into the
    /// local folder `localRoot`. Only with `recursive` are matched folders copied.
    public func fetchTree(_ remotePath: String, to localRoot: String, glob: Bool = false, recursive: Bool = true)
        async throws -> TreeResult
    {
        let sink = try TreeSink(root: localRoot)
        do {
            let reply = try await perform { connection in
                try await connection.widened {
                    try await connection.request(
                        "tree_get",
                        [
                            "path": .string(remotePath), "glob": .bool(glob), "recursive": .bool(recursive),
                            "chunk": .int(Int64(LocalFile.chunkSize)),
                        ], reply: Reply.Tree.self, onData: { try sink.receive($0) })
                }
            }
            var result = sink.finish(skipped: reply.skipped ?? 0)
            Self.addFailures(reply, to: &result)
            result.failureCount = max(result.failureCount, reply.failureCount)
            return result
        } catch {
            sink.discard()
            throw error
        }
    }
}

/// tree_put's first half as the controller hears it: the host's change list (D frames), then R once it has
/// compared everything. `@unchecked Sendable`: every access holds `lock`.
final class TreeCompare: @unchecked Sendable {
    private let lock = NIOLock()
    private var result = TreeResult(root: "")
    private var wanted = TreeBits()
    private let digest = SHA1()
    private var done = false
    private var waiter: CheckedContinuation<TreeBits?, Never>?

    func receive(_ buffer: ByteBuffer) throws {
        var buffer = buffer
        guard let tag = buffer.readInteger(as: UInt8.self), let value = try? JSONValue.parse(buffer.readableBytesView)
        else { throw ErrorResult("protocol error: unreadable tree_put frame", kind: .protocol) }
        let resume: CheckedContinuation<TreeBits?, Never>? = try lock.withLock {
            switch tag {
            case UInt8(ascii: "D"):
                guard case .array(let records) = value else {
                    throw ErrorResult("protocol error: tree_put change list is not a list", kind: .protocol)
                }
                for record in records { try add(record) }
                return nil
            case UInt8(ascii: "R"):
                done = true
                defer { waiter = nil }
                return waiter
            default:
                throw ErrorResult("protocol error: unknown tree_put frame tag \(tag)", kind: .protocol)
            }
        }
        resume?.resume(returning: lock.withLock { wanted })
    }

    private func add(_ record: JSONValue) throws {
        guard let path = TreePath.read(record), let sign = record["c"]?.stringValue else {
            throw ErrorResult("protocol error: tree_put change without a path", kind: .protocol)
        }
        if let index = record["i"]?.intValue, index >= 0 { wanted.insert(Int(index)) }
        guard let kind = TreeResult.Change.Sign(rawValue: sign) else { return }  // "=": sent, not a change
        var what: [String] = []
        if case .array(let items)? = record["w"] { what = items.compactMap(\.stringValue) }
        let change = TreeResult.Change(sign: kind, path: path, kind: record["k"]?.stringValue ?? "f", what: what)
        digest.update(Array((change.text + " " + what.joined(separator: ",") + "\n").utf8))
        result.add(change)
    }

    /// The files the host wants, once it compared; nil when the request ended first (the host refused it).
    func compared() async -> TreeBits? {
        await withCheckedContinuation { continuation in
            let now: TreeBits?? = lock.withLock {
                if done { return .some(wanted) }
                if ended { return .some(nil) }
                waiter = continuation
                return .none
            }
            if let now { continuation.resume(returning: now) }
        }
    }

    private var ended = false

    /// The request ended: a body still waiting for R gives up.
    func end() {
        let resume: CheckedContinuation<TreeBits?, Never>? = lock.withLock {
            ended = true
            defer { waiter = nil }
            return waiter
        }
        resume?.resume(returning: nil)
    }

    func sent(_ file: TreeResult.File) {
        lock.withLock { result.add(file) }
    }

    func result(root: String) -> TreeResult {
        lock.withLock {
            var result = self.result
            result.root = root
            result.changeDigest = digest.hexDigest()
            return result
        }
    }
}
