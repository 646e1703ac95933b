import Foundation
import NIOConcurrencyHelpers
import NIOCore

extension Tunnel {
    /// `putTree` to a leaf: the listing and the leaf's change list go through the gateway as for any host, but
    /// the files go to the gateway once for all its leaves of the wave (`GatewayTreeStaging`), and the gateway
    /// sends each leaf the ones it wants as the DATA of its request (`leaf_tree_feed`), checked there by SHA-1 as
    /// ever. The consumer always leaves the feed, however this ends.
    func putTree(
        through leaf: GatewayLeaf, _ tree: LocalTree, to remoteRoot: String, options: TreeOptions, feed: TreeFeed,
        consumer: Int
    ) async throws -> TreeResult {
        try await treePut(tree, to: remoteRoot, options: options, feed: feed, consumer: consumer) {
            compared, collector, id, connection in
            guard let route = connection.route else { throw CancellationError() }
            let wanted = Array(compared)
            let key = GatewayTreeStaging.Key(
                feed: ObjectIdentifier(feed), gateway: ObjectIdentifier(route.gateway))
            let staging = GatewayTreeStaging.shared
            let mine = await staging.claim(key, wanted: wanted)
            do {
                await feed.register(consumer, wanted: TreeBits(mine))
                try await Self.stage(mine, of: feed, as: consumer, key: key, on: route.gateway)
                await feed.leave(consumer)
                let staged = await staging.results(key, wanted: wanted)
                try await Self.feed(
                    wanted, staged: staged, id: id, leaf: connection, route: route, collector: collector)
                try await connection.sendData(id, .end, ByteBuffer(string: "{}"))
            } catch {
                // Leaves waiting for the files this one claimed go on without them.
                for index in mine {
                    await staging.staged(key, index, .failed("not staged on the gateway: \(error)"))
                }
                await staging.release(key, on: route.gateway)
                throw error
            }
            await staging.release(key, on: route.gateway)
        }
    }

    /// Puts the files `indices` (this leaf's claim) on the gateway, each as a temporary file read from the feed.
    private static func stage(
        _ indices: [Int], of feed: TreeFeed, as consumer: Int, key: GatewayTreeStaging.Key,
        on gateway: AgentConnection
    ) async throws {
        let writer = JSONWriter(nonFinite: .token)
        for index in indices {
            // Why the file could not be read here: its put is ended with an END that cannot match.
            let unreadable = NIOLockedValueBox<String?>(nil)
            // The entry's path in the tree, as the feed gives it with the file's end (for the result).
            let entryPath = NIOLockedValueBox<[UInt8]>([])
            let staged: GatewayTreeStaging.Staged
            do {
                let reply = try await gateway.request(
                    "put", ["path": nil, "mode": .int(0o600), "size": nil], reply: Reply.Transfer.self,
                    body: { id, gateway in
                        var part = 0
                        while true {
                            let piece = try await feed.piece(for: consumer, file: index, part: part)
                            part += 1
                            switch piece {
                            case .bytes(var chunk):
                                chunk.moveReaderIndex(forwardBy: 1)  // the 'C' tag
                                try await gateway.sendData(id, .data, chunk)
                            case .end(let sha1, let size, let path):
                                entryPath.withLockedValue { $0 = path }
                                let end: JSONValue = ["sha1": .string(sha1), "size": .int(Int64(size))]
                                try await gateway.sendData(id, .end, ByteBuffer(bytes: writer.bytes(end)))
                                return
                            case .failed(let message):
                                unreadable.withLockedValue { $0 = message }
                                try await gateway.sendData(id, .end, ByteBuffer(string: #"{"sha1": "", "size": -1}"#))
                                return
                            }
                        }
                    })
                staged = .file(
                    path: reply.remotePath, sha1: reply.sha1sum, size: reply.size,
                    entry: entryPath.withLockedValue { $0 })
            } catch {
                guard let message = unreadable.withLockedValue({ $0 }) else { throw error }
                staged = .failed(message)
            }
            await GatewayTreeStaging.shared.staged(key, index, staged)
        }
    }

    /// Has the gateway send the leaf the staged files it wants, in order; X for those that could not be staged.
    private static func feed(
        _ wanted: [Int], staged: [Int: GatewayTreeStaging.Staged], id: UInt32, leaf connection: AgentConnection,
        route: LeafRoute, collector: TreeCompare
    ) async throws {
        let writer = JSONWriter(nonFinite: .token)
        var files: [JSONValue] = []
        for index in wanted {
            switch staged[index] {
            case .file(let path, let sha1, let size, let entry):
                files.append([.int(Int64(index)), .string(path), .string(sha1), .int(Int64(size))])
                collector.sent(TreeResult.File(path: entry, size: size, sha1: sha1))
            case .failed(let message):
                let frame: JSONValue = ["i": .int(Int64(index)), "msg": .string(message)]
                try await connection.sendData(id, .data, ByteBuffer(bytes: Array("X".utf8) + writer.bytes(frame)))
            case nil:
                let frame: JSONValue = ["i": .int(Int64(index)), "msg": "not staged on the gateway"]
                try await connection.sendData(id, .data, ByteBuffer(bytes: Array("X".utf8) + writer.bytes(frame)))
            }
        }
        guard !files.isEmpty else { return }
        _ = try await route.gateway.request(
            "leaf_tree_feed", ["route": .int(Int64(route.id)), "id": .int(Int64(id)), "files": .array(files)],
            reply: AgentConnection.GatewayReply.self)
    }
}
