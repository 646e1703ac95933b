/// The sets an operation's result names (`@ok`, `@failed`, …), listed once: the targets they make, the names
/// `name` may not take, completion, the inventory-group warning and the result history all read this.
public enum ResultSet: String, Sendable, CaseIterable {
    /// Hosts that succeeded.
    case ok
    /// Hosts that errored or failed.
    case failed
    /// Hosts outside the largest group of alike answers.
    case outliers
    /// Hosts where the last `where` was true.
    case match
    /// Hosts where it was false.
    case nomatch
    /// Hosts a rollout never started.
    case skipped
    /// Hosts where `put`, `put -r` or `sync` changed something.
    case changed
    /// Hosts that succeeded and changed nothing (every host of an operation that changes nothing).
    case unchanged

    /// The sets of every operation, that `@%N.NAME` offers for each kept result.
    static let everyResult: [ResultSet] = [.ok, .failed, .outliers, .changed, .unchanged]
    /// The sets only `where` makes; they stay until the next `where`.
    static let whereOnly: [ResultSet] = [.match, .nomatch]

    /// Every target word the shell gives a meaning of its own: `all` and the sets.
    static var reservedNames: [String] { ["all"] + allCases.map(\.rawValue) }
}
