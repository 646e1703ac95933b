import Chopsticks

/// One operation's outcome on every member, plus what the summary line needs.
public struct OperationReport: Sendable, Equatable {
    /// The line as the user typed it, target included, e.g. "@web1 run uptime"; shown in JSON as `command`.
    public var operation: String
    /// One outcome per member, in member order, so output is stable between runs.
    public var outcomes: [HostOutcome]
    /// Wall-clock seconds for the whole operation.
    public var elapsed: Double
    /// The user pressed Ctrl-C. Hosts that had not finished are expected as `error` with reason "interrupted".
    public var interrupted: Bool
    /// Its number in the result history (`%7`), once the session keeps it.
    public var number: Int?
    /// Hosts that succeeded but stand outside the largest group of alike answers (`@outliers`, failed hosts
    /// aside), when the session computed them.
    public var outliers: [String] = []
    /// For `where`: the hosts whose value was true (false with `--exclude`), and the others that answered; hosts
    /// that raised are in neither.
    public var match: MatchSets?
    /// The hosts' lines were printed as they came (`output lines`), so the `lines` view prints only the status.
    public var streamedOutput: Bool

    public init(
        operation: String, outcomes: [HostOutcome], elapsed: Double, interrupted: Bool = false, number: Int? = nil,
        streamedOutput: Bool = false
    ) {
        self.streamedOutput = streamedOutput
        self.operation = operation
        self.outcomes = outcomes
        self.elapsed = elapsed
        self.interrupted = interrupted
        self.number = number
    }

    /// Names of hosts that failed or errored, in member order: the members of `@failed`.
    public var failedHosts: [String] {
        outcomes.filter(\.isFailure).map(\.host)
    }

    /// Hosts a rolling operation never reached: the members of `@skipped`.
    public var skippedHosts: [String] {
        outcomes.filter { $0.state == .skipped }.map(\.host)
    }
}

/// `where`'s two result sets, `@match` and `@nomatch`, in member order.
public struct MatchSets: Sendable, Equatable {
    public var matching: [String]
    public var notMatching: [String]

    public init(matching: [String], notMatching: [String]) {
        self.matching = matching
        self.notMatching = notMatching
    }
}
