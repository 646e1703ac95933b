/// Shipping the user's Python code: the agent imports it from chop on demand.
extension Tunnel {
    /// Makes `roots` importable on this member, now and after every reconnect; reloads the modules named in
    /// `reload` (already imported ones run again from the current local source).
    public func ship(_ roots: [ShippedRoot], reload: [String] = []) async throws -> ShipResult {
        let names = shippedRoots.withLockedValue { shipped in
            for root in roots { shipped[root.name] = root }
            return shipped.keys.sorted()
        }
        let reply = try await perform { connection in
            await connection.forgetServed(reload)
            return try await connection.request(
                "ship",
                ["roots": .array(names.map(JSONValue.string)), "reload": .array(reload.map(JSONValue.string))],
                reply: Reply.Ship.self)
        }
        return ShipResult(roots: reply.roots, reloaded: reply.reloaded)
    }

    /// Registers `roots` without contacting the host: its next connect ships them (members added later).
    public nonisolated func addShipped(_ roots: [ShippedRoot]) {
        shippedRoots.withLockedValue { shipped in
            for root in roots { shipped[root.name] = root }
        }
    }

    /// The top-level names this member may import from chop.
    public nonisolated var shippedNames: [String] { shippedRoots.withLockedValue { $0.keys.sorted() } }
}
