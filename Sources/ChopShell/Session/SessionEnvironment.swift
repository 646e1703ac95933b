/// The variables `env` sets for every `run` and `script` process: given to the agent with each request (its
/// `env` parameter), so sshd's `AcceptEnv`, which drops all but `LANG`/`LC_*`, plays no part.
public struct SessionEnvironment: Sendable, Equatable {
    /// Name to value, as set with `env NAME=VALUE`.
    public private(set) var values: [String: String] = [:]

    public init() {}

    /// What the agent is given: nil while nothing is set, so requests stay as they were.
    var forRequests: [String: String]? { values.isEmpty ? nil : values }

    mutating func set(_ name: String, _ value: String) { values[name] = value }

    mutating func unset(_ name: String) { values[name] = nil }

    /// `NAME=VALUE` lines in name order, a secret's value as `***` (for `env`, and in a recording's header).
    var shownLines: [String] {
        values.keys.sorted().map { "\($0)=\(Self.shown($0, values[$0]!))" }
    }

    /// The value as chop may show or write it anywhere: `***` for a name that looks secret.
    static func shown(_ name: String, _ value: String) -> String {
        isSecret(name) ? masked : value
    }

    static let masked = "***"

    /// Names that usually hold credentials (`GITHUB_TOKEN`, `DB_PASSWORD`, `AWS_SECRET_ACCESS_KEY`, `API_KEY`):
    /// their values are never shown, logged, recorded or kept in history.
    static func isSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["TOKEN", "PASSWORD", "SECRET", "KEY"].contains { upper.contains($0) }
    }

    /// Whether `name` is a variable name a shell accepts (letters, digits and `_`, not starting with a digit).
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, !("0"..."9").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
        }
    }
}
