/// `show HOST`: one host's complete output from the last result.
public struct ShowCommand: ChopCommand, Equatable {
    public var host: String

    public static let declaration = CommandDeclaration(
        name: "show", usage: "show HOST", summary: "show HOST's complete output from the last result",
        examples: ["show web03"])

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> ShowCommand {
        guard arguments.words.count == 1 else {
            throw arguments.error(arguments.words.isEmpty ? "show needs a host" : "show takes one host")
        }
        return ShowCommand(host: arguments.words[0])
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.members : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let outcome = try session.outcome(for: host)
        if session.settings.output == .json {
            session.emit([
                "host": ResultRenderer.jsonObject(outcome), "of": .string(session.lastReport?.operation ?? ""),
            ])
        } else {
            for line in session.renderer().show(outcome) { session.io.print(line) }
        }
        return .ok
    }
}
