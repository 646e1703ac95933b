import Chopsticks

/// `add sudo [USER] [NAME] [--python PATH]`: this machine as another user, through sudo.
public struct AddSudoCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "add sudo",
        synopsis: "add sudo [USER] [NAME]",
        summary: "add this machine as USER (default root), through sudo",
        options: [.python],
        help: """
            sudo runs with -n, so it never waits for a password: when it wants one, the member shows 'needs
            password' and 'password' gives it.
            NAME is what the member is called (default sudo-USER).

            Examples:
              add sudo postgres
              add sudo nobody sandbox
            """)

    public var user: String?
    public var name: String?
    public var python: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddSudoCommand {
        let (words, options) = try arguments.names(most: 2, )
        return AddSudoCommand(
            user: words.first, name: words.count == 2 ? words[1] : nil, python: options.value("--python"))
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let user = user ?? "root"
        let name = name ?? MemberDirectory.uniqueName("sudo-\(user)", in: session)
        let kind = try Sudo(user: user, name: name, python: python ?? session.settings.python)
        let tunnel = Tunnel(kind, connectTimeout: session.settings.connectTimeout)
        return try await MemberDirectory.add([tunnel], in: session)
    }
}
