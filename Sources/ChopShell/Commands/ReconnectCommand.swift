/// `reconnect [TARGET...]`: close and open again, e.g. after fixing a host.
public struct ReconnectCommand: ChopCommand, Equatable {
    /// Empty: the line's `@TARGET` or the current target.
    public var targets: [String]

    public static let declaration = CommandDeclaration(
        name: "reconnect", usage: "reconnect [TARGET...]", summary: "close connections and connect again",
        details: ["Without TARGET: the @TARGET of the line, or else the current target (see use)."],
        examples: ["reconnect", "@failed reconnect"], takesTarget: true)

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> ReconnectCommand {
        ReconnectCommand(targets: try ConnectionTargets.parse(arguments))
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.targetWords() }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.connect(targets, target: target, fresh: true)
    }
}
