/// `add local [NAME] [--python PATH]`: this machine, without SSH.
public struct AddLocalCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "add local", usage: "add local [NAME] [--python PATH]", summary: "add this machine, without SSH",
        help: """
            NAME defaults to local, or local2, local3 … when that is taken.

            Examples:
              add local
              add local box --python /usr/bin/python3
            """)

    public var name: String?
    public var python: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddLocalCommand {
        let (names, options) = try arguments.names(most: 1, known: ["--python"])
        return AddLocalCommand(name: names.first, python: options["--python"])
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.addLocal(name, python: python)
    }
}
