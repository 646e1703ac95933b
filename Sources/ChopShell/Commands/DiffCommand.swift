import Chopsticks

/// `diff [%N] HOST [OTHER]` compares outputs within one result; `diff %A %B` shows, per host, what changed
/// between two results, with the hosts grouped by change (a drift check).
public struct DiffCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "diff",
        helpOrder: 320,
        synopsis: "diff [%N] HOST [OTHER] | diff %A %B",
        summary: "compare HOST with OTHER or the commonest; or two results",
        help: """
            A unified diff of the exact text; without OTHER, against the output most of the other hosts gave.
            With two results (%A %B, see results), each host's answer in %A against its answer in %B: hosts
            whose answer did not change are counted, the others grouped by the change they share.

            Examples:
              diff web03
              diff web03 web04
              diff %5 web03
              diff %3 %5
            """)

    /// What is compared.
    public enum Comparison: Sendable, Equatable {
        /// Two hosts (or a host and the most common output) within a result; nil: the last one.
        case hosts(result: Int?, host: String, other: String?)
        /// Every host's answer in one result against its answer in another.
        case results(Int, Int)
    }

    public var comparison: Comparison

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> DiffCommand {
        var words = arguments.words
        var result: Int?
        if let first = words.first, let number = ResultHistory.reference(first) {
            result = number
            words.removeFirst()
            if words.count == 1, let second = ResultHistory.reference(words[0]) {
                return DiffCommand(comparison: .results(number, second))
            }
        }
        guard let host = words.first else { throw arguments.error("diff needs a host, or two results") }
        guard words.count <= 2 else { throw arguments.error("diff takes one or two hosts") }
        return DiffCommand(comparison: .hosts(result: result, host: host, other: words.count == 2 ? words[1] : nil))
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position <= 3 ? context.members + context.resultReferences : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let lines: [String]
        let of: String
        switch comparison {
        case .hosts(let result, let host, let other):
            let report = try session.report(result)
            (lines, of) = (
                try Self.hostLines(session, report: report, result: result, host: host, other: other), report.operation
            )
        case .results(let first, let second):
            let old = try session.report(first)
            let new = try session.report(second)
            lines = Self.drift(session.renderer(), old: old, new: new, names: ("%\(first)", "%\(second)"))
            of = "%\(first) %\(second)"
        }
        if session.settings.output == .json {
            session.emit(["diff": .array(lines.map(JSONValue.string)), "of": .string(of)])
        } else {
            await session.page(lines)
        }
        return .ok
    }

    private static func hostLines(
        _ session: isolated Session, report: OperationReport, result: Int?, host: String, other: String?
    ) throws -> [String] {
        let left = try session.outcome(for: host, in: result)
        let right: HostOutcome
        let rightLabel: String
        if let other {
            right = try session.outcome(for: other, in: result)
            rightLabel = other
        } else {
            // Against the most common output among the other hosts.
            let others = report.outcomes.filter { $0.host != host }
            guard !others.isEmpty else { throw ShellError("diff with one host needs other hosts in the result") }
            var counts: [String: Int] = [:]
            for outcome in others { counts[outcome.output, default: 0] += 1 }
            let common = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
            right = HostOutcome(host: "common", output: common)
            rightLabel = "most common output (\(counted(counts[common]!, "host")))"
        }
        let color = session.renderer().color && session.settings.output != .json
        let lines = UnifiedDiff(color: color).diff(
            left.fullOutput, right.fullOutput, oldName: host, newName: rightLabel)
        return lines.isEmpty ? ["no differences between \(host) and \(rightLabel)"] : lines
    }

    /// Per host, `old` against `new`: unchanged hosts counted, changed ones grouped by their change.
    static func drift(
        _ renderer: ResultRenderer, old: OperationReport, new: OperationReport, names: (String, String)
    ) -> [String] {
        let before = Dictionary(old.outcomes.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
        var unchanged: [String] = []
        var changes: [(key: [String], hosts: [String])] = []
        var only: [String] = []
        for outcome in new.outcomes {
            guard let previous = before[outcome.host] else {
                only.append(outcome.host)
                continue
            }
            let oldText = ResultRenderer.driftText(previous)
            let newText = ResultRenderer.driftText(outcome)
            if oldText == newText {
                unchanged.append(outcome.host)
            } else if let index = changes.firstIndex(where: { $0.key == [oldText, newText] }) {
                changes[index].hosts.append(outcome.host)
            } else {
                changes.append((key: [oldText, newText], hosts: [outcome.host]))
            }
        }
        var lines: [String] = []
        let fold = { (hosts: [String]) in TerminalText.sanitize(NodeSet.fold(hosts)) }
        for change in changes.sorted(by: { $0.hosts.count > $1.hosts.count }) {
            lines.append("── \(fold(change.hosts)) (\(change.hosts.count)) changed ──")
            lines += UnifiedDiff(color: renderer.color).diff(
                change.key[0], change.key[1], oldName: names.0, newName: names.1)
        }
        if !unchanged.isEmpty { lines.append("unchanged: \(fold(unchanged)) (\(unchanged.count))") }
        if !only.isEmpty { lines.append("only in \(names.1): \(fold(only))") }
        let missing = old.outcomes.map(\.host).filter { host in !new.outcomes.contains { $0.host == host } }
        if !missing.isEmpty { lines.append("only in \(names.0): \(fold(missing))") }
        return lines
    }
}
