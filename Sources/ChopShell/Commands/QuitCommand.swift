/// `quit` or `exit`: end the session; every connection is closed and throwaway containers are removed.
public struct QuitCommand: ArgumentlessCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "quit",
        helpOrder: 410,
        aliases: ["exit"],
        synopsis: "quit | exit",
        summary: "leave chop (Ctrl-D at an empty prompt too)",
        recorded: false,
        help: """
            Connections are closed and throwaway containers removed.
            """)

    public init() {}

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        session.quitRequested = true
        return .quit
    }
}
