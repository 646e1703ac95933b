import Chopsticks

/// `run COMMAND`: a shell command on each host, with `/bin/sh -c`; `{host}` is each member's name.
public struct RunCommand: VerbatimCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "run", usage: "run COMMAND", summary: "run a shell command on each host, with /bin/sh -c",
        takesTarget: true, rawArguments: true,
        rolls: true,
        help: """
            COMMAND is passed as typed: quotes, pipes and $VARIABLES are for the remote shell.
            A host fails when the command exits with a status other than 0.
            {host} is replaced by each member's name, quoted for sh when it needs quoting (so write
            {host} bare, not inside quotes), as pdsh's %h. {{ and }} stand for one literal brace; any
            other brace stays as typed, so awk '{print $1}' needs no escaping, but a }} you mean
            literally is written } } or }}}} ({{host}} is the text {host}).

            Examples:
              run uptime
              @web[1-3] run systemctl restart nginx
              run grep -c "^processor" /proc/cpuinfo | tr -d '\\n'
              run hostnamectl set-hostname {host}
              run df -h / | awk 'NR > 1 {print $5}'
            """)

    /// The rest of the line exactly as typed: its quoting belongs to the remote shell, not to chop. Only `{host}`,
    /// `{{` and `}}` are chop's (`HostTemplate`).
    public var text: String

    public init(text: String) { self.text = text }

    public static let missingText = "run needs a command, e.g. run uptime"

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let (timeout, command) = (session.settings.timeout, self.text)
        let plan: (String) -> String = { host in "run " + HostTemplate.command(command, host: host) }
        return try await Self.operate("run", in: session, target: target, plan: plan) { tunnel, cap, onOutput in
            try await tunnel.run(
                HostTemplate.command(command, host: tunnel.name), timeout: timeout, outputCap: cap, onOutput: onOutput)
        }
    }

    /// A `run`-like operation (`run`, `script`): `start` begins it on one tunnel with an output cap and, when the
    /// output is streamed, a receiver for it; the result is shown as `run`'s (table, blocks, lines, spill files).
    static func operate(
        _ verb: String, in session: isolated Session, target: String?, plan: ((String) -> String)? = nil,
        _ start: @escaping @Sendable (Tunnel, Int, (@Sendable (RunOutput) -> Void)?) async throws -> RunResult
    ) async throws -> CommandResult {
        let (keep, cap) = (session.settings.keepBytes, session.settings.spillMax)
        // Output beyond keep-bytes goes to a file when the session has a folder for it; lines mode prints each
        // host's lines as they come. Either needs the output streamed; otherwise the agent cuts it at keep-bytes.
        let spill = session.spillFolderForNextResult().map { OutputSpill(folder: $0, keep: keep, cap: cap) }
        let live = session.settings.output == .lines ? LiveLines(print: session.io.print) : nil
        let streaming = spill != nil || live != nil
        let body: @Sendable (Tunnel) async throws -> RunResult = { tunnel in
            let name = tunnel.name
            var onOutput: (@Sendable (RunOutput) -> Void)?
            if streaming {
                onOutput = { (piece: RunOutput) in
                    spill?.receive(name, piece)
                    live?.receive(name, piece)
                }
            }
            defer { live?.finish(name) }
            do {
                // With a spill, it holds the output (in memory or in files): the result itself keeps none of it.
                return try await start(tunnel, spill == nil ? keep : 0, onOutput)
            } catch {
                _ = spill?.finish(name)
                throw error
            }
        }
        let describe: (String, RunResult) -> HostOutcome = { host, result in
            var outcome = HostOutcome.run(host, result)
            if let finished = spill?.finish(host) {
                // A stream that stayed under keep-bytes is whole here; a larger one is whole in its file, and
                // here only its start, for the views.
                outcome.spilled = finished.files
                outcome.truncated = finished.dropped > 0
                outcome.setOutput(stdout: finished.stdout, stderr: finished.stderr)
            }
            return outcome
        }
        return try await session.operate(
            verb, target: target, streamed: live != nil, plan: plan, body, describe: describe)
    }
}
