import Chopsticks
import Foundation

/// `run [--sudo[=USER]] [--input TEXT | --input-file FILE] COMMAND`: a shell command on each host, with
/// `/bin/sh -c`; `{host}` is each member's name.
public struct RunCommand: VerbatimCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "run",
        helpOrder: 100,
        synopsis: "run COMMAND",
        summary: "run a shell command on each host, with /bin/sh -c",
        takesTarget: true,
        rawArguments: true,
        options: OptionSpec.rollout + [
            OptionSpec(
                "--sudo", arity: .optionalValue("USER", implied: "root"), placement: .leading,
                "run it through sudo as USER (root; set sudo USER: every run)"),
            .value("--input", "TEXT", placement: .leading, "write TEXT and a newline to its stdin"),
            .value("--input-file", "FILE", placement: .leading, "write a local file to its stdin"),
        ],
        help: """
            COMMAND is passed as typed: quotes, pipes and $VARIABLES are for the remote shell.
            A host fails when the command exits with a status other than 0.
            The command's stdin is closed, so a question (apt-get's Y/n) reads end-of-file: --input TEXT
            writes TEXT and a newline to every host's command on stdin, then closes it (quote TEXT as one
            word); --input-file FILE writes that local file's bytes exactly.
            --sudo runs it as root through sudo, --sudo=USER as USER (set sudo USER: every run and
            script): a second agent per host, started as add --sudo starts one, asks for the password
            with chop's own prompt (give it with password); it uses the host's cd directory.
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
              run --input y apt-get install nginx
              run --input-file ./answers.txt ./configure
              run --sudo systemctl restart nginx
              run --sudo=postgres psql -c 'select 1'
            """)

    /// The rest of the line exactly as typed: its quoting belongs to the remote shell, not to chop. Only `{host}`,
    /// `{{` and `}}` are chop's (`HostTemplate`).
    public var text: String
    /// What the command reads on stdin; nil leaves stdin closed (end-of-file at once).
    public var input: RunInput?
    /// The user to run as through sudo (`--sudo`: root); nil follows `set sudo`.
    public var sudo: String?

    public init(text: String) { self.init(text: text, input: nil) }

    public init(text: String, input: RunInput?, sudo: String? = nil) {
        self.text = text
        self.input = input
        self.sudo = sudo
    }

    public static let missingText = "run needs a command, e.g. run uptime"

    /// The options come before the command, each one word quoted as in a shell; the rest stays verbatim.
    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> RunCommand {
        let options = arguments.leading
        var sudo: String?
        if let user = options.value("--sudo") {
            guard !user.isEmpty, !user.hasPrefix("-"), !TextChecks.hasSpaceOrControl(user) else {
                throw arguments.error("--sudo=USER needs a user name, e.g. --sudo=postgres")
            }
            sudo = user
        }
        var input: RunInput?
        if let text = options.value("--input") {
            guard !options.has("--input-file") else { throw arguments.error("give --input or --input-file once") }
            input = .text(text + "\n")
        } else if let file = options.value("--input-file") {
            guard !file.isEmpty else { throw arguments.error("--input-file needs a local file, e.g. ./answers") }
            input = .file(file)
        }
        let text = arguments.raw
        guard !text.isEmpty else { throw ParseError(missingText) }
        return RunCommand(text: text, input: input, sudo: sudo)
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let (timeout, command) = (session.settings.timeout, self.text)
        let (stdin, env) = (try input?.bytes(), session.environment.forRequests)
        let plan: (String) -> String = { host in "run " + HostTemplate.command(command, host: host) }
        return try await Self.operate("run", in: session, target: target, sudo: sudo, plan: plan) {
            tunnel, cwd, cap, onOutput in
            try await tunnel.run(
                HostTemplate.command(command, host: tunnel.name), stdin: stdin, timeout: timeout, env: env, cwd: cwd,
                outputCap: cap, onOutput: onOutput)
        }
    }

    /// A `run`-like operation (`run`, `script`): `start` begins it on one tunnel, with the directory to run in
    /// (the member's `cd` directory when a sudo companion runs it, else nil: the agent's own), an output cap and,
    /// when the output is streamed, a receiver for it; the result is shown as `run`'s (table, blocks, lines,
    /// spill files). `sudo` (else `set sudo`) names the user to run as through sudo.
    static func operate(
        _ verb: String, in session: isolated Session, target: String?, sudo: String? = nil,
        plan: ((String) -> String)? = nil,
        _ start: @escaping @Sendable (Tunnel, String?, Int, (@Sendable (RunOutput) -> Void)?) async throws -> RunResult
    ) async throws -> CommandResult {
        var sudoRunners: [String: Tunnel] = [:]
        if let user = sudo ?? session.settings.sudo, !session.settings.dryRun {
            sudoRunners = try await SudoCompanions.runners(for: session.resolve(target), user: user, in: session)
        }
        let runners = sudoRunners
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
                let runner = runners[name]
                let cwd = runner == nil ? nil : tunnel.directory
                return try await start(runner ?? tunnel, cwd, spill == nil ? keep : 0, onOutput)
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
