import Foundation
import NIOConcurrencyHelpers
import NIOCore

extension AgentConnection {
    /// What `gateway_source`, `leaf_open` and `leaf_close` answer.
    struct GatewayReply: Decodable {}

    /// The agent's source in base64, as `gateway_source` sends it to each gateway once.
    static let agentBase64 = Data(Bootstrap.agentSource).base64EncodedString()

    /// Opens `leaf` through its pinned gateway, or through the next one of its gateways that can be reached when
    /// that one cannot: the gateway is connected (or reconnected) first, like any member.
    static func openLeaf(
        _ leaf: GatewayLeaf, timeout: Int, stderr: StderrLog, shipped: NIOLockedValueBox<[String: ShippedRoot]>
    ) async throws -> (AgentConnection, Hello) {
        var reasons: [String] = []
        for (index, gateway) in leaf.candidates {
            let connection: AgentConnection
            do {
                connection = try await gateway.live()
            } catch {
                let result = ErrorResult(error)
                if result.kind == .interrupted { throw result }
                reasons.append("gateway \(gateway.name): \(result.msg)")
                continue
            }
            leaf.pin(index)
            return try await connection.openRoute(leaf, timeout: timeout, stderr: stderr, shipped: shipped)
        }
        throw ErrorResult(reasons.joined(separator: "; "), kind: .connection)
    }

    /// Asks this member (a gateway) to start `leaf`'s tunnel and relay it; the leaf's connection is returned
    /// once its agent said hello, as `open` returns a direct member's.
    func openRoute(
        _ leaf: GatewayLeaf, timeout: Int, stderr: StderrLog, shipped: NIOLockedValueBox<[String: ShippedRoot]>
    ) async throws -> (AgentConnection, Hello) {
        if let lostReason { throw ErrorResult("gateway \(kind.name): \(lostReason.msg)", kind: .connection) }
        guard let writer else { throw ErrorResult("gateway \(kind.name) is not open", kind: .connection) }
        try await router.sendSource {
            _ = try await self.request(
                "gateway_source", ["agent_b64": .string(Self.agentBase64)], reply: GatewayReply.self)
        }
        let marker = Bootstrap.newMarker()
        let login = NIOLockedValueBox<[UInt8]?>([])
        let route = try router.add { id in
            LeafRoute(id: id, gateway: self, stderr: stderr, login: login, eventLoop: eventLoop) { kill in
                Task {
                    _ = try? await self.request(
                        "leaf_close", ["route": .int(Int64(id)), "kill": .bool(kill)], reply: GatewayReply.self)
                }
            }
        }
        // An ssh leaf gets the bootstrap as its command, as a direct member does: no line for sh to read first.
        let inline = Bootstrap.inline(for: leaf.leaf, python: leaf.python, marker: marker)
        let params: [String: JSONValue] = [
            "route": .int(Int64(route.id)),
            "argv": .array(leaf.command(script: inline ?? Bootstrap.reader).map(JSONValue.string)),
            "line": .string(inline == nil ? Bootstrap.line(python: leaf.python, marker: marker) : ""),
            "marker": .string(marker), "timeout": .int(Int64(timeout)), "fanout": .int(Int64(leaf.fanout)),
            // The user's agent, when this gateway's ssh forwards it, is for the leaves that may use it only.
            "drop_agent": .bool(!leaf.forwardAgent && ((kind as? SSH)?.agentForwarding.isEnabled ?? false)),
        ]
        let connection = AgentConnection(
            process: route, kind: leaf, stderr: stderr, channel: channel, timeout: timeout, shipped: shipped,
            login: login, route: route)
        let open: @Sendable () async throws -> Void = {
            _ = try await self.request("leaf_open", params, reply: GatewayReply.self)
        }
        // The gateway holds the leaf to `timeout` from the moment it starts it; this side waits longer, for
        // leaves queued behind the gateway's fanout.
        let hello = try await connection.start(
            .route(route, writer: writer, open: open), password: nil, helloTimeout: timeout * 2 + 5)
        return (connection, hello)
    }
}
