/// `quit` or `exit`: end the session; every connection is closed and throwaway containers are removed.
public struct QuitCommand: ChopCommand, Equatable {

    public static let declaration = CommandDeclaration(
        name: "quit", aliases: ["exit"], usage: "quit | exit", summary: "leave chop (Ctrl-D at an empty prompt too)",
        details: ["Connections are closed and throwaway containers removed."], recorded: false)

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> QuitCommand {
        try arguments.expectNone()
        return QuitCommand()
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        session.quitRequested = true
        return .quit
    }
}
