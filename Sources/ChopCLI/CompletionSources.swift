import ChopShell
import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// What Tab completion knows, kept in memory for the editing thread: members and fact names (updated after
/// each command), names from ssh config / known_hosts / /etc/hosts (read once), and running containers (asked
/// only when a completion needs them, without waiting).
final class CompletionSources: Sendable {
    private let state = NIOLockedValueBox(CompletionEngine())
    private let facts: FactHarvest

    init(session: Session) {
        self.facts = session.facts
        let known = KnownHostNames.all(home: Terminal.home)
        state.withLockedValue {
            $0.knownHosts = known
            $0.containers = ContainerNames()
            $0.remotePaths = { target, prefix in Self.remotePaths(session, target: target, prefix: prefix) }
        }
    }

    func update(members: [String], results: [Int], groups: [String] = []) {
        state.withLockedValue {
            $0.members = members
            $0.results = results
            $0.groups = groups
        }
    }

    /// Asks the session (one live member) for remote paths, waiting at most `waitSeconds` on the editing thread:
    /// Tab on a slow host gives nothing rather than a frozen line.
    private static func remotePaths(_ session: Session, target: String?, prefix: String) -> [String] {
        let answer = NIOLockedValueBox<[String]>([])
        let done = DispatchSemaphore(value: 0)
        let task = Task {
            let paths = await RemotePathCompletion.paths(target: target, prefix: prefix, in: session)
            answer.withLockedValue { $0 = paths }
            done.signal()
        }
        guard done.wait(timeout: .now() + waitSeconds) == .success else {
            task.cancel()
            return []
        }
        return answer.withLockedValue { $0 }
    }

    static let waitSeconds = 1.5

    /// The engine with what is known now; fact names are read at this moment, as members connect.
    func engine() -> CompletionEngine {
        var engine = state.withLockedValue { $0 }
        engine.factNames = facts.current
        return engine
    }
}
