/// `!COMMAND`: a command on this machine, with the terminal as its stdin and stdout (as in clush).
public struct LocalShellCommand: ChopCommand, Equatable {
    /// The rest of the line exactly as typed, for the local `/bin/sh`.
    public var command: String

    public static let declaration = CommandDeclaration(
        name: "!", usage: "!COMMAND", summary: "run a command on this machine, not on the hosts",
        details: ["COMMAND is passed exactly as typed to your local /bin/sh."], examples: ["!ls -l", "!vi app.conf"],
        rawArguments: true)

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> LocalShellCommand {
        guard !arguments.raw.isEmpty else { throw ParseError("! needs a local command, e.g. !ls -l") }
        return LocalShellCommand(command: arguments.raw)
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.paths(context.word) }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        // With --json, stdout holds JSON objects only: the command's output goes to stderr.
        let status = await LocalCommand.run(command, stdoutToStderr: session.settings.output == .json)
        return status == 0 ? .ok : .hostsFailed
    }
}
