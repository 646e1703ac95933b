/// `help [TOPIC]`: every command in one line each, or one command's details and examples.
public struct HelpCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "help",
        helpOrder: 400,
        synopsis: "help [COMMAND]",
        summary: "this list, or details about COMMAND",
        recorded: false,
        help: """
            Also: help targets, help keys.

            Examples:
              help put
              help targets
            """)

    /// nil: the summary of every command.
    public var topic: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> HelpCommand {
        guard let topic = arguments.words.first else { return HelpCommand(topic: nil) }
        guard arguments.words.count == 1 else { throw arguments.error("help takes one topic") }
        guard CommandHelp.help(for: topic) != nil else {
            if let guess = Suggestion.closest(to: topic, among: CommandRegistry.commandNames + CommandHelp.extraTopics)
            {
                throw ParseError("no help for '\(topic)' — did you mean 'help \(guess)'?", kind: .unknownName)
            }
            throw ParseError("no help for '\(topic)' — try help, help targets or help keys", kind: .unknownName)
        }
        return HelpCommand(topic: topic)
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? CommandRegistry.commandNames + CommandHelp.extraTopics : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let text: String
        if let topic {
            let live = CommandHelp.command(for: topic)?.liveDetails(session) ?? []
            guard let help = CommandHelp.help(for: topic, live: live) else {
                throw ShellError("no command named '\(topic)'; 'help' lists them")
            }
            text = help
        } else {
            text = CommandHelp.summary()
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) { session.say(String(line)) }
        return .ok
    }
}
