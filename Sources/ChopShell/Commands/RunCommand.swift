/// `run COMMAND`: a shell command on each host, with `/bin/sh -c`.
public struct RunCommand: ChopCommand, Equatable {
    /// The rest of the line exactly as typed: its quoting belongs to the remote shell, not to chop.
    public var command: String

    public static let declaration = CommandDeclaration(
        name: "run", usage: "run COMMAND", summary: "run a shell command on each host, with /bin/sh -c",
        details: [
            "COMMAND is passed exactly as typed: quotes, pipes and $VARIABLES are for the remote shell.",
            "A host fails when the command exits with a status other than 0.",
        ],
        examples: [
            "run uptime",
            "@web[1-3] run systemctl restart nginx",
            #"run grep -c "^processor" /proc/cpuinfo | tr -d '\n'"#,
        ],
        takesTarget: true, rawArguments: true)

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> RunCommand {
        guard !arguments.raw.isEmpty else { throw ParseError("run needs a command, e.g. run uptime") }
        return RunCommand(command: arguments.raw)
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let timeout = session.settings.timeout
        let command = self.command
        return try await session.operate(
            "run", target: target, { try await $0.run(command, timeout: timeout) }, describe: HostOutcome.run)
    }
}
