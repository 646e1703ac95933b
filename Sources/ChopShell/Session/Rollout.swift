import Chopsticks

/// Rolling execution, as ansible's `serial` and `max_fail_percentage` do it: the target in waves, stopping
/// when failures pass a limit, optionally after a canary wave the user confirms. `Session.collect` runs the
/// waves this gives it and asks before each whether to go on.
public struct Rollout: Sendable, Equatable {
    /// A number of hosts, or a percentage of the target (rounded up, at least 1).
    public enum Size: Sendable, Equatable, CustomStringConvertible {
        case count(Int)
        case percent(Int)

        /// The size for a target of `total` hosts.
        public func of(_ total: Int) -> Int {
            switch self {
            case .count(let count): count
            case .percent(let percent): max(1, (total * percent + 99) / 100)
            }
        }

        public var description: String {
            switch self {
            case .count(let count): "\(count)"
            case .percent(let percent): "\(percent)%"
            }
        }

        /// Reads `N` or `N%` (1 to 100 %); `zero` allows 0 (a failure limit of none).
        public static func parse(_ text: String, zero: Bool = false) -> Size? {
            if text.hasSuffix("%") {
                guard let percent = Int(text.dropLast()), (1...100).contains(percent), text.first != "+" else {
                    return nil
                }
                return .percent(percent)
            }
            guard TextChecks.isDecimal(text), let count = Int(text), count >= (zero ? 0 : 1) else { return nil }
            return .count(count)
        }
    }

    /// Hosts per wave; nil: all at once (as `fanout` allows).
    public var batch: Size?
    /// Failures allowed before no further wave starts; nil: no limit.
    public var maxFail: Size?
    /// A first wave of this many hosts, then a question (or `yes`).
    public var canary: Int?
    /// The canary's question answered in advance (scripts).
    public var yes = false

    public init(batch: Size? = nil, maxFail: Size? = nil, canary: Int? = nil, yes: Bool = false) {
        self.batch = batch
        self.maxFail = maxFail
        self.canary = canary
        self.yes = yes
    }

    /// Whether anything differs from "everyone at once".
    public var isActive: Bool { batch != nil || maxFail != nil || canary != nil }

    /// The line's options laid over the session's defaults (`set batch`, `set max-fail`).
    func over(defaults: ShellSettings) -> Rollout {
        var merged = self
        if merged.batch == nil { merged.batch = defaults.batch }
        if merged.maxFail == nil { merged.maxFail = defaults.maxFail }
        return merged
    }

    /// The waves for `names`: the canary first, then batches.
    func waves(_ names: [String]) -> [[String]] {
        var rest = names[...]
        var waves: [[String]] = []
        if let canary, canary > 0 {
            waves.append(Array(rest.prefix(canary)))
            rest = rest.dropFirst(canary)
        }
        let size = max(1, batch?.of(names.count) ?? rest.count)
        while !rest.isEmpty {
            waves.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return waves
    }

    /// Why no wave starts from wave `index` on (0: the first), or nil to go on: more than `--max-fail` of the
    /// `total` hosts failed, the canary was not confirmed (asked on `io` once the canary wave, `done`, ran), or
    /// the line was interrupted.
    func reasonToStop<Value: OperationValue>(
        beforeWave index: Int, of total: Int, failures: Int, done: [GroupResult<Value>.Entry], io: ShellIO
    ) async -> String? {
        if let maxFail, failures > maxFail.of(total) {
            return "max-fail: \(counted(failures, "host")) failed, more than --max-fail \(maxFail)"
        }
        if index == 1, canary != nil, !yes, !Task.isCancelled {
            return await Self.confirmAfterCanary(done, rest: total - done.count, io: io)
        }
        return Task.isCancelled ? "interrupted" : nil
    }

    /// After the canary wave: its tally, then one question; the reason to stop, or nil to go on.
    private static func confirmAfterCanary<Value: OperationValue>(
        _ entries: [GroupResult<Value>.Entry], rest: Int, io: ShellIO
    ) async -> String? {
        let failed = entries.filter(\.isFailure).map(\.host)
        let tally = "canary: \(counted(entries.count, "host")), \(entries.count - failed.count) ok"
        io.error(failed.isEmpty ? tally : tally + ", failed: " + NodeSet.fold(failed))
        guard let confirm = io.confirm else {
            return "canary: the other hosts wait for a yes: on a terminal, or --yes in scripts"
        }
        guard await confirm("Go on with the other \(counted(rest, "host"))? [y/N] ") else {
            return "canary: not confirmed after the canary wave"
        }
        return nil
    }

    /// What `set dry-run on` adds to its header line for `hosts`: "; 3 waves of 1, 2, 2, stopping after more
    /// than 1 failures, asking after the canary"; nothing when every host runs at once.
    func dryRunNote(_ hosts: [String]) -> String {
        guard isActive else { return "" }
        let waves = self.waves(hosts)
        var note = "; \(counted(waves.count, "wave")) of \(waves.map { String($0.count) }.joined(separator: ", "))"
        if let maxFail { note += ", stopping after more than \(maxFail) failures" }
        if canary != nil { note += ", asking after the canary" }
        return note
    }

    /// The rollout the line's options ask for (`OptionSpec.rollout`, read by `OptionParser`), or nil when it
    /// names none; a bad size is a usage error of the command.
    init?(_ options: OptionValues, arguments: CommandArguments) throws(ParseError) {
        guard OptionSpec.rollout.contains(where: { options.has($0.name) }) else { return nil }
        self.init(yes: options.has("--yes"))
        if let text = options.value("--batch") {
            guard let size = Size.parse(text) else {
                throw arguments.error("--batch takes N or N%, e.g. --batch 10 or --batch 25%, not '\(text)'")
            }
            batch = size
        }
        if let text = options.value("--max-fail") {
            guard let size = Size.parse(text, zero: true) else {
                throw arguments.error("--max-fail takes N or N%, e.g. --max-fail 0 or --max-fail 10%, not '\(text)'")
            }
            maxFail = size
        }
        if let text = options.value("--canary") {
            guard TextChecks.isDecimal(text), let count = Int(text), count >= 1 else {
                throw arguments.error("--canary takes a number of hosts, e.g. --canary 1, not '\(text)'")
            }
            canary = count
        }
    }
}
