import NIOConcurrencyHelpers

/// The leaves a connection relays when its host is a gateway, by route id: every `route` and `leaf` frame from
/// the gateway goes to its leaf's `LeafRoute`. A frame for a route chop did not open breaks the gateway's
/// connection, as any unexpected frame does.
final class GatewayRouter: Sendable {
    private struct State {
        var routes: [UInt32: LeafRoute] = [:]
        var next: UInt32 = 1
        /// The gateway's connection ended: no more leaves through it.
        var lost = false
        /// Sends the agent's source to the gateway once, for every leaf it starts.
        var source: Task<Void, any Error>?
    }
    private let state = NIOLockedValueBox(State())

    /// Opens a route: `make` builds it with a fresh id.
    func add(_ make: (UInt32) -> LeafRoute) throws -> LeafRoute {
        try state.withLockedValue { state in
            if state.lost { throw ErrorResult("the gateway's connection is closing", kind: .connection) }
            var id = state.next
            while state.routes[id] != nil { id = id == UInt32.max ? 1 : id + 1 }
            state.next = id == UInt32.max ? 1 : id + 1
            let route = make(id)
            state.routes[id] = route
            return route
        }
    }

    /// Hands a `route` or `leaf` frame to its leaf; false for a route chop does not know, or a malformed frame.
    func deliver(_ frame: Frame) -> Bool {
        guard let route = state.withLockedValue({ $0.routes[frame.id] }) else { return false }
        let valid = route.receive(frame)
        if route.released { state.withLockedValue { _ = $0.routes.removeValue(forKey: frame.id) } }
        return valid
    }

    /// The gateway is gone: every leaf through it ends now, with that reason.
    func lose(gateway: String) {
        let routes = state.withLockedValue { state in
            state.lost = true
            defer { state.routes.removeAll() }
            return Array(state.routes.values)
        }
        for route in routes { route.lose(gateway: gateway) }
    }

    /// Waits until the gateway holds the agent's source (sent once; the first caller sends it).
    func sendSource(_ send: @escaping @Sendable () async throws -> Void) async throws {
        let task = state.withLockedValue { state in
            if let task = state.source { return task }
            let task = Task { try await send() }
            state.source = task
            return task
        }
        try await task.value
    }

    /// How many leaves go through this connection now.
    var count: Int { state.withLockedValue { $0.routes.count } }
}
