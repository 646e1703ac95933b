/// `add container NAME... [--python PATH]`: Docker containers that are already running.
public struct AddContainerCommand: ChopCommand, Equatable {
    public var names: [String]
    public var python: String?

    public static let declaration = CommandDeclaration(
        name: "add container", usage: "add container NAME... [--python PATH]",
        summary: "add Docker containers that are already running",
        examples: ["add container pg"])

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddContainerCommand {
        let (names, options) = try arguments.options(known: ["--python"], hint: CommandArguments.nameHint)
        guard !names.isEmpty else { throw arguments.error("add container needs a container name") }
        for name in names { try arguments.checkName(name) }
        return AddContainerCommand(names: names, python: options["--python"])
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.containers() }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.addContainers(names, python: python)
    }
}
