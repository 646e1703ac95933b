/// `run COMMAND`: a shell command on each host, with `/bin/sh -c`.
public struct RunCommand: VerbatimCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "run", usage: "run COMMAND", summary: "run a shell command on each host, with /bin/sh -c",
        takesTarget: true, rawArguments: true,
        help: """
            COMMAND is passed exactly as typed: quotes, pipes and $VARIABLES are for the remote shell.
            A host fails when the command exits with a status other than 0.

            Examples:
              run uptime
              @web[1-3] run systemctl restart nginx
              run grep -c "^processor" /proc/cpuinfo | tr -d '\\n'
            """)

    /// The rest of the line exactly as typed: its quoting belongs to the remote shell, not to chop.
    public var text: String

    public init(text: String) { self.text = text }

    public static let missingText = "run needs a command, e.g. run uptime"

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let timeout = session.settings.timeout
        let command = self.text
        guard session.settings.output == .lines else {
            return try await session.operate(
                "run", target: target, { try await $0.run(command, timeout: timeout) }, describe: HostOutcome.run)
        }
        // Live lines: each host's lines as it prints them; the whole output still makes the result.
        let live = LiveLines(print: session.io.print)
        return try await session.operate(
            "run", target: target, streamed: true,
            { tunnel in
                do {
                    let result = try await tunnel.run(
                        command, timeout: timeout, onOutput: { live.receive(tunnel.name, $0) })
                    live.finish(tunnel.name)
                    return result
                } catch {
                    live.finish(tunnel.name)
                    throw error
                }
            }, describe: HostOutcome.run)
    }
}
