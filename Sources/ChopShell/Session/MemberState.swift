import Chopsticks

/// How the shell words a member's `Tunnel.State`: the library reports the state as a type, and the words
/// (`hosts`' STATE column, the `@up`, `@unknown-key` … targets) are chosen here.
enum MemberState {
    /// The word `hosts` shows.
    static func word(_ state: Tunnel.State) -> String {
        switch state {
        case .idle: "idle"
        case .connecting: "connecting"
        case .up: "up"
        case .down: "down"
        case .unknownKey: "unknown key"
        case .keyChanged: "KEY CHANGED"
        case .needsPassword: "needs password"
        case .closed: "closed"
        }
    }

    /// The `@TARGET` that selects members in this state (`@unknown-key`), if one does.
    static func target(_ state: Tunnel.State) -> String? {
        switch state {
        case .up: "up"
        case .down: "down"
        case .unknownKey: "unknown-key"
        case .keyChanged: "key-changed"
        case .needsPassword: "needs-password"
        case .idle, .connecting, .closed: nil
        }
    }

    /// Every state target, in the order completion offers them.
    static let targets = ["up", "down", "unknown-key", "key-changed", "needs-password"]
}
