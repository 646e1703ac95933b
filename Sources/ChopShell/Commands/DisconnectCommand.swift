/// `disconnect [TARGET...]`: close connections but keep the members.
public struct DisconnectCommand: ChopCommand, Equatable {
    /// Empty: the line's `@TARGET` or the current target.
    public var targets: [String]

    public static let declaration = CommandDeclaration(
        name: "disconnect", usage: "disconnect [TARGET...]", summary: "close connections but keep the hosts",
        details: ["Without TARGET: the @TARGET of the line, or else the current target (see use)."],
        examples: ["disconnect web[1-4]"], takesTarget: true)

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> DisconnectCommand {
        DisconnectCommand(targets: try ConnectionTargets.parse(arguments))
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.targetWords() }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.disconnect(targets, target: target)
    }
}
