/// `connect [TARGET...]`: open connections now (operations also connect on first use).
public struct ConnectCommand: ChopCommand, Equatable {
    /// Empty: the line's `@TARGET` or the current target.
    public var targets: [String]

    public static let declaration = CommandDeclaration(
        name: "connect", usage: "connect [TARGET...]", summary: "connect now rather than at first use",
        details: ["Without TARGET: the @TARGET of the line, or else the current target (see use)."],
        examples: ["connect", "connect db*"], takesTarget: true)

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> ConnectCommand {
        ConnectCommand(targets: try ConnectionTargets.parse(arguments))
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.targetWords() }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.connect(targets, target: target, fresh: false)
    }
}
