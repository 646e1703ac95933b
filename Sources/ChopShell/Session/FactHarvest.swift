import Chopsticks
import NIOConcurrencyHelpers

/// The fact names the agents reported in their hello, gathered from the members as they connect and answer,
/// and readable from any thread: Tab completion on the line editor's thread reads them while members connect
/// in the background.
public final class FactHarvest: Sendable {
    private let names = NIOLockedValueBox<[String]>([])

    public init() {}

    /// The names, once an agent has reported them; empty before.
    public var current: [String] { names.withLockedValue { $0 } }

    /// Keeps the first non-empty list an agent reports.
    func offer(_ reported: [String]) {
        guard !reported.isEmpty else { return }
        names.withLockedValue { if $0.isEmpty { $0 = reported } }
    }

    /// Asks `tunnels` in turn for the names their agent reported, until one has: once the names are known no
    /// tunnel is asked again (each asking is a hop to its actor).
    func harvest(from tunnels: [Tunnel]) async {
        for tunnel in tunnels where current.isEmpty { offer(await tunnel.factNames) }
    }
}
