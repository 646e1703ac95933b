/// `record FILE` starts writing typed commands to FILE (a replayable script); `record off` stops.
public struct RecordCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "record", synopsis: "record FILE | record off",
        summary: "save the commands you type to FILE, to replay with source", recorded: false,
        help: """
            Examples:
              record deploy.chop
              record off
            """)

    /// nil: `record off`.
    public var path: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> RecordCommand {
        guard arguments.words.count == 1 else {
            throw arguments.error(
                arguments.words.isEmpty ? "record needs a file, or off to stop" : "record takes one file")
        }
        return RecordCommand(path: arguments.words[0] == "off" ? nil : arguments.words[0])
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.paths(context.word) + ["off"] : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try session.record(path)
    }
}
