import Chopsticks
import Foundation

/// `script LOCAL_FILE [ARG...]`: a local script run on each host, leaving nothing behind there.
public struct ScriptCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "script",
        helpOrder: 150,
        synopsis: "script LOCAL_FILE [ARG...]",
        summary: "run a local script on each host, leaving no file",
        takesTarget: true,
        options: OptionSpec.rollout,
        help: """
            The file is sent with the request and written to a private temporary directory on each host
            (mode 0700), run with the interpreter of its #! line (else /bin/sh) and the ARGs, and removed
            when it ends, fails, times out (set timeout), is interrupted (Ctrl-C) or the connection drops.
            The result is a run result. Every word after LOCAL_FILE is the script's, options included;
            {host} in an ARG is each member's name ({{ and }} are literal braces). At most 8 MiB.

            Examples:
              script ./check-disk.sh
              @web* script deploy.py --release 42 --name {host}
              script ~/bin/report.sh -v
            """)

    public var local: String
    public var arguments: [String]

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> ScriptCommand {
        guard let local = arguments.words.first, !local.isEmpty else {
            throw arguments.error("script needs a local file, e.g. script ./check.sh")
        }
        guard !local.hasPrefix("-") else {
            throw arguments.error("'\(local)' is not a file name\(CommandArguments.fileHint)")
        }
        return ScriptCommand(local: local, arguments: Array(arguments.words.dropFirst()))
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.paths(context.word) : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let path = Session.expandTilde(local)
        let body: Data
        do {
            body = try LocalScript.read(path)
        } catch {
            throw ShellError(error.msg)
        }
        let (name, arguments, timeout) = (LocalScript.name(path), self.arguments, session.settings.timeout)
        let env = session.environment.forRequests
        let plan: (String) -> String = { host in
            (["script \(path) (\(body.count) bytes)"]
                + arguments.map { shellQuote(HostTemplate.expand($0, host: host)) })
                .joined(separator: " ")
        }
        return try await RunCommand.operate("script", in: session, target: target, plan: plan) {
            tunnel, cwd, cap, onOutput in
            try await tunnel.script(
                body, name: name, arguments: arguments.map { HostTemplate.expand($0, host: tunnel.name) },
                timeout: timeout, env: env, cwd: cwd, outputCap: cap, onOutput: onOutput)
        }
    }
}
