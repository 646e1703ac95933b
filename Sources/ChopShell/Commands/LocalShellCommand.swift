import Chopsticks

/// `!COMMAND`: a command on this machine, with the terminal as its stdin and stdout (as in clush).
public struct LocalShellCommand: VerbatimCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "!",
        helpOrder: 360,
        synopsis: "!COMMAND",
        summary: "run a command on this machine, not on the hosts",
        rawArguments: true,
        help: """
            COMMAND is passed exactly as typed to your local /bin/sh.

            Examples:
              !ls -l
              !vi app.conf
            """)

    /// The rest of the line exactly as typed, for the local `/bin/sh`.
    public var text: String

    public init(text: String) { self.text = text }

    public static let missingText = "! needs a local command, e.g. !ls -l"

    public static func complete(_ context: CompletionContext) -> [String] { context.paths(context.word) }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        // With --json, stdout holds JSON objects only: the command's output goes to stderr.
        let status = await LocalCommand.run(text, stdoutToStderr: session.settings.output == .json) ?? 127
        return status == 0 ? .ok : .hostsFailed
    }
}
