import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// Running container names for completion, asked of `docker ps` only when a completion needs them and never
/// waited for: Tab answers at once with what is known, and the refresh it starts serves the next Tab.
public final class ContainerNames: Sendable {
    private struct State {
        var names: [String] = []
        var refreshed: ContinuousClock.Instant?
        var refreshing = false
    }

    private let state = NIOLockedValueBox(State())
    /// How long a list is good for.
    private let maximumAge: Duration
    private let list: @Sendable () async -> [String]

    public init(
        maximumAge: Duration = .seconds(5),
        list: @escaping @Sendable () async -> [String] = { await ContainerList.running() }
    ) {
        self.maximumAge = maximumAge
        self.list = list
    }

    /// The names known now; starts a refresh in the background when they are stale.
    public func current() -> [String] {
        let (names, stale) = state.withLockedValue { state -> ([String], Bool) in
            let stale = !state.refreshing && (state.refreshed.map { $0.duration(to: .now) > maximumAge } ?? true)
            if stale { state.refreshing = true }
            return (state.names, stale)
        }
        if stale {
            Task.detached { [state, list] in
                let fresh = await list()
                state.withLockedValue {
                    $0.names = fresh
                    $0.refreshed = .now
                    $0.refreshing = false
                }
            }
        }
        return names
    }
}
