import Chopsticks

/// One row of the `hosts` table, read from a tunnel; also what completion and the prompt use.
public struct MemberInfo: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var state: String
    public var python: String?
    public var rtt: Double?
    public var lastError: String?
    public var down: Bool
    /// The host prints text on stdout when chop logs in (an rc file that prints): chop skips it and keeps it in
    /// the member's log, and `hosts` says so once.
    public var printsOnLogin = false
}

extension MemberInfo {
    /// The row as a JSON object, for `hosts` with `--json`.
    var jsonValue: JSONValue {
        [
            "name": .string(name), "kind": .string(kind), "state": .string(state),
            "python": python.map(JSONValue.string) ?? .null, "rtt": rtt.map(JSONValue.double) ?? .null,
            "last_error": lastError.map(JSONValue.string) ?? .null, "prints_on_login": .bool(printsOnLogin),
        ]
    }
}
