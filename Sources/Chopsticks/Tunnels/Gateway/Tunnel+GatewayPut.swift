extension Tunnel {
    /// A put to a leaf: the file goes to its gateway once (`GatewayStaging`), and the gateway sends it to the
    /// leaf as the DATA and END of the leaf's own put request (`leaf_feed`), so the leaf checks it as ever.
    func put(
        through leaf: GatewayLeaf, from source: SharedFileSource, as consumer: Int, _ remotePath: String?, mode: Int?
    ) async throws -> PutResult {
        let mode = mode ?? source.mode
        do {
            // Connected first: the gateway the file goes to is the one the leaf is pinned to now.
            _ = try await live()
        } catch {
            await source.leave(consumer)
            throw error
        }
        let gateway = leaf.gateway
        let staged = try await GatewayStaging.shared.acquire(source, consumer: consumer, on: gateway)
        do {
            let reply = try await perform { connection in
                try await connection.request(
                    "put", Self.putParams(remotePath, mode: mode, size: staged.size), reply: Reply.Transfer.self,
                    body: { id, connection in
                        guard let route = connection.route else { return }
                        let feed: [String: JSONValue] = [
                            "route": .int(Int64(route.id)), "id": .int(Int64(id)), "path": .string(staged.path),
                            "sha1": .string(staged.sha1), "size": .int(Int64(staged.size)),
                        ]
                        _ = try await route.gateway.request(
                            "leaf_feed", feed, reply: AgentConnection.GatewayReply.self)
                    })
            }
            await GatewayStaging.shared.release(source, on: gateway)
            return PutResult(remotePath: reply.remotePath, size: reply.size, sha1sum: reply.sha1sum)
        } catch {
            await GatewayStaging.shared.release(source, on: gateway)
            throw error
        }
    }
}
