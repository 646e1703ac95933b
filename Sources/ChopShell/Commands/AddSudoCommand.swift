/// `add sudo [USER] [NAME] [--python PATH]`: this machine as another user, through `sudo -n`.
public struct AddSudoCommand: ChopCommand, Equatable {
    public var user: String?
    public var name: String?
    public var python: String?

    public static let declaration = CommandDeclaration(
        name: "add sudo", usage: "add sudo [USER] [NAME] [--python PATH]",
        summary: "add this machine as USER (default root), through sudo -n",
        examples: ["add sudo postgres", "add sudo nobody sandbox"])

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddSudoCommand {
        let (words, options) = try arguments.options(known: ["--python"], hint: CommandArguments.nameHint)
        guard words.count <= 2 else { throw arguments.error("too many arguments for add sudo") }
        for word in words { try arguments.checkName(word) }
        return AddSudoCommand(user: words.first, name: words.count == 2 ? words[1] : nil, python: options["--python"])
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.addSudo(user: user, name: name, python: python)
    }
}
