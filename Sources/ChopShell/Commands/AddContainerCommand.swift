import Chopsticks

/// `add container NAME... [--python PATH]`: Docker containers that are already running.
public struct AddContainerCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "add container",
        synopsis: "add container NAME...",
        summary: "add Docker containers that are already running",
        options: [.python],
        help: """
            NAME is a running container of the local engine (docker); Tab completes the running ones.
            chop runs its agent inside with docker exec and leaves the container running when it goes.

            Examples:
              add container pg
            """)

    public var names: [String]
    public var python: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddContainerCommand {
        let (names, options) = try arguments.names(
            least: 1, missing: "add container needs a container name")
        return AddContainerCommand(names: names, python: options.value("--python"))
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.containers() }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let settings = session.settings
        let tunnels = try names.map {
            Tunnel(try DockerExec($0, python: python ?? settings.python), connectTimeout: settings.connectTimeout)
        }
        return try await MemberDirectory.add(tunnels, in: session)
    }
}
