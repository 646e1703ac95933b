import Chopsticks

/// `diff HOST [OTHER]`: one host's last output against another's, or against the most common one.
public struct DiffCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "diff", usage: "diff HOST [OTHER]", summary: "compare HOST's last output with OTHER's or the most common",
        help: """
            A unified diff of the exact text; without OTHER, against the output most of the other hosts gave.

            Examples:
              diff web03
              diff web03 web04
            """)

    public var host: String
    public var other: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> DiffCommand {
        guard let first = arguments.words.first else { throw arguments.error("diff needs a host") }
        guard arguments.words.count <= 2 else { throw arguments.error("diff takes one or two hosts") }
        return DiffCommand(host: first, other: arguments.words.count == 2 ? arguments.words[1] : nil)
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position <= 2 ? context.members : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let left = try session.outcome(for: host)
        let right: HostOutcome
        let rightLabel: String
        if let other {
            right = try session.outcome(for: other)
            rightLabel = other
        } else {
            // Against the most common output among the other hosts.
            let others = (session.lastReport?.outcomes ?? []).filter { $0.host != host }
            guard !others.isEmpty else { throw ShellError("diff with one host needs other hosts in the last result") }
            var counts: [String: Int] = [:]
            for outcome in others { counts[outcome.output, default: 0] += 1 }
            let common = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
            right = HostOutcome(host: "common", output: common)
            rightLabel = "most common output (\(counted(counts[common]!, "host")))"
        }
        let json = session.settings.output == .json
        let lines = UnifiedDiff(color: session.renderer().color && !json).diff(
            left.output, right.output, oldName: host, newName: rightLabel)
        if json {
            session.emit([
                "diff": .array(lines.map(JSONValue.string)), "of": .string(session.lastReport?.operation ?? ""),
            ])
        } else if lines.isEmpty {
            session.io.print("no differences between \(host) and \(rightLabel)")
        } else {
            for line in lines { session.io.print(line) }  // UnifiedDiff sanitises each line itself
        }
        return .ok
    }
}
