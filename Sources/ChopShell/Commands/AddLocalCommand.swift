/// `add local [NAME] [--python PATH]`: this machine, without SSH.
public struct AddLocalCommand: ChopCommand, Equatable {
    public var name: String?
    public var python: String?

    public static let declaration = CommandDeclaration(
        name: "add local", usage: "add local [NAME] [--python PATH]", summary: "add this machine, without SSH",
        examples: ["add local", "add local box --python /usr/bin/python3"])

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddLocalCommand {
        let (names, options) = try arguments.options(known: ["--python"], hint: CommandArguments.nameHint)
        guard names.count <= 1 else { throw arguments.error("too many arguments for add local") }
        for name in names { try arguments.checkName(name) }
        return AddLocalCommand(name: names.first, python: options["--python"])
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.addLocal(name, python: python)
    }
}
