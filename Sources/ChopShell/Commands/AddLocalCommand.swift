/// `add local [NAME...] [--python PATH]`: this machine, without SSH, once per name (ranges expanded).
public struct AddLocalCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "add local",
        synopsis: "add local [NAME...]",
        summary: "add this machine, without SSH",
        options: [.python, .gateway],
        help: """
            NAME defaults to local, or local2, local3 … when that is taken. Several names, and ranges such as
            w[1-4], add one member each (like add does), all on this machine: handy to try a fleet command.
            --gateway GW starts them from the agent of member GW instead of from chop (see add).

            Examples:
              add local
              add local box --python /usr/bin/python3
              add local w[1-4] spare
            """)

    /// Names or node-set patterns as typed; empty: the default name.
    public var names: [String]
    public var python: String?
    /// Gateways (a node set of members) that start them; nil: chop does.
    public var gateway: String?

    public init(names: [String] = [], python: String? = nil, gateway: String? = nil) {
        self.names = names
        self.python = python
        self.gateway = gateway
    }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddLocalCommand {
        let (names, options) = try arguments.names()
        return AddLocalCommand(names: names, python: options.value("--python"), gateway: options.value("--gateway"))
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await MemberDirectory.addLocal(names, python: python, gateway: gateway, in: session)
    }
}
