import ChopShell
import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// What Tab completion knows, kept in memory for the editing thread: members and fact names (updated after
/// each command), names from ssh config / known_hosts / /etc/hosts (read once), and running containers (asked
/// only when a completion needs them, without waiting).
final class CompletionSources: Sendable {
    private let state = NIOLockedValueBox(CompletionEngine())
    private let facts: FactNames

    init(facts: FactNames) {
        self.facts = facts
        let known = KnownHostNames.all(home: Terminal.home)
        state.withLockedValue {
            $0.knownHosts = known
            $0.containers = ContainerNames()
        }
    }

    func update(members: [String]) {
        state.withLockedValue { $0.members = members }
    }

    /// The engine with what is known now; fact names are read at this moment, as members connect.
    func engine() -> CompletionEngine {
        var engine = state.withLockedValue { $0 }
        engine.factNames = facts.current
        return engine
    }
}
