/// `use TARGET`: the hosts that operations without `@TARGET` apply to; `use all` for every host.
public struct UseCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "use",
        helpOrder: 230,
        synopsis: "use TARGET",
        summary: "choose the hosts that operations apply to",
        subcommands: [UseWhereCommand.self],
        help: """
            Operations without @TARGET apply to the current target, shown in the prompt.
            use all goes back to every host. See help targets. use where EXPRESSION narrows it
            to the hosts where a Python expression is true (help use where).

            Examples:
              use web[01-04]
              use db*
              use all
            """)

    public var target: String

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> UseCommand {
        guard arguments.words.count == 1 else {
            if arguments.words.isEmpty {
                throw arguments.error("use needs a target, e.g. use web[1-3] (use all for every host)")
            }
            throw arguments.error(
                "use takes one target; join names with commas: use \(arguments.words.joined(separator: ","))")
        }
        return UseCommand(target: try arguments.targetWords()[0])
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.targetWords() + ["all"] : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        if self.target == "all" {
            session.useTarget = nil
        } else {
            _ = try session.resolveNonEmpty(self.target)
            session.useTarget = self.target
        }
        return .ok
    }
}
