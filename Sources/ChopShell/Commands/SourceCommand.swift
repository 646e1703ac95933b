/// `source FILE`: run chop commands from a file.
public struct SourceCommand: ChopCommand, Equatable {
    public var path: String

    public static let declaration = CommandDeclaration(
        name: "source", usage: "source FILE", summary: "run chop commands from FILE",
        details: ["One command a line; # starts a comment. With set errexit on, a failure stops the file."],
        examples: ["source deploy.chop"])

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> SourceCommand {
        guard arguments.words.count == 1 else {
            throw arguments.error(arguments.words.isEmpty ? "source needs a file" : "source takes one file")
        }
        return SourceCommand(path: arguments.words[0])
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.paths(context.word) : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        await session.source(path)
    }
}
