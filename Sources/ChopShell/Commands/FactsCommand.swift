/// `facts [NAME...]`: facts about each host (all by default). The names come from the agent itself, which
/// reports the facts it knows when it connects.
public struct FactsCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "facts",
        helpOrder: 180,
        synopsis: "facts [NAME...]",
        summary: "gather facts: os, memory, disk, … (all by default)",
        takesTarget: true,
        options: OptionSpec.rollout,
        help: """
            The agent lists the facts it knows when it connects; Tab completes them.

            Examples:
              facts
              @db* facts os memory
            """)

    /// Empty: every fact.
    public var names: [String]

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> FactsCommand {
        FactsCommand(names: arguments.words)
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.factNames }

    public static func liveDetails(_ session: isolated Session) -> [String] {
        let names = session.factNames
        return names.isEmpty
            ? ["(Connect a host to see the names of its facts.)"] : ["Names: " + names.joined(separator: " ")]
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let names = self.names
        let requested = names.isEmpty ? nil : names
        return try await session.operate(
            "facts", target: target, { try await $0.facts(requested) },
            describe: { HostOutcome.facts($0, $1, names: names) })
    }
}
