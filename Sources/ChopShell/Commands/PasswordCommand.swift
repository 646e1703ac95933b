import Chopsticks

/// `password [TARGET]`: asks once, without echo, for the password sudo wants on the far side, and reconnects
/// the members that need it.
public struct PasswordCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "password",
        helpOrder: 90,
        synopsis: "password [TARGET]",
        summary: "give the password sudo asks for on the hosts",
        takesTarget: true,
        recorded: false,
        help: """
            Asks once, without echo, then reconnects TARGET (default: the members in state 'needs password').
            sudo reads the password over each member's own tunnel (ssh's encrypted channel), and only after
            it has asked for it. The password stays in chop's memory, one copy, zeroed on quit: never in argv,
            the environment, history, record files, logs, --json or messages. Every sudo member uses it from
            then on. Scripts give it with chop --password-fd N.

            Examples:
              password
              password web[1-3]
            """)

    /// Hosts to reconnect; nil: the line's `@TARGET`, else `@needs-password`.
    public var target: String?

    public init(target: String? = nil) { self.target = target }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> PasswordCommand {
        let words = try arguments.targetWords()
        guard words.count <= 1 else { throw arguments.error("give one target, e.g. password web[1-3]") }
        if let word = words.first, let target = arguments.target {
            throw arguments.error("give the hosts either as '@\(target)' or after password, not '\(word)' too")
        }
        return PasswordCommand(target: words.first)
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.targetWords() }

    /// Asks once, lends the secret to every member that goes through sudo (the old one is wiped), and
    /// reconnects the members that wait for it.
    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let names: [String]
        if let target = self.target ?? target {
            names = try session.resolveNonEmpty(target)
        } else {
            names = session.membersByState()["needs-password"] ?? []
        }
        guard let askSecret = session.io.askSecret else {
            throw ShellError("password: no terminal to ask on; scripts give it with chop --password-fd N")
        }
        guard let secret = await askSecret("sudo password: ") else {
            session.io.error("no password given; nothing changed")
            return .error
        }
        // One copy: the old one is zeroed, and every sudo member now holds the new one.
        session.sudoPassword?.wipe()
        session.sudoPassword = secret
        for tunnel in session.group.tunnels + session.sudoCompanions.values where tunnel.kind.usesSudo {
            await tunnel.setPassword(secret)
        }
        guard !names.isEmpty else {
            session.io.error("no member needs a password now; sudo members and run --sudo use this one from now on")
            return .ok
        }
        return try await ConnectCommand.connect(names, target: nil, fresh: true, in: session)
    }
}
