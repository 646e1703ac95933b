/// `add HOST... [--python PATH]`: SSH members, ranges expanded (`web[01-12]`, `root@db:2222`). Its subcommands
/// add the other kinds: `add local`, `add sudo`, `add docker`, `add container`.
public struct AddCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "add", usage: "add HOST... [--python PATH]", summary: "add SSH hosts: web[01-12], root@db:2222",
        subcommands: [AddLocalCommand.self, AddSudoCommand.self, AddDockerCommand.self, AddContainerCommand.self],
        help: """
            Hosts are reached with your own ssh, so ~/.ssh/config, keys and ProxyJump apply.
            HOST is [USER@]NAME[:PORT]; ranges such as web[01-12] or db[1,3,5-7] add many at once.
            --python names the interpreter (every form takes it); otherwise chop finds one (see set python).
            The 'local' member chop starts with leaves as soon as you add another; 'add local' keeps it.
            Host names cannot start with '-' or '@', nor contain spaces, '*' or '?'.

            Examples:
              add web[01-04] root@db:2222
              add legacy1 --python /usr/bin/python3.9
              add sudo postgres
              add docker test1 test2 --image python:3.12-slim
            """)

    /// Host patterns as typed; each is checked for characters that could never be a host, ranges are expanded
    /// by the session.
    public var hosts: [String]
    public var python: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddCommand {
        let hint = "; host names cannot start with '-'"
        let (hosts, options) = try arguments.options(known: ["--python"], hint: hint)
        guard !hosts.isEmpty else { throw arguments.error("add needs at least one host, e.g. add web[01-04]") }
        for host in hosts { try arguments.checkName(host) }
        return AddCommand(hosts: hosts, python: options["--python"])
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        declaration.subcommands.map { $0.declaration.subcommandWord } + context.knownHosts
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.addSSH(hosts, python: python)
    }
}
