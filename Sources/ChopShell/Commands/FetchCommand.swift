import Chopsticks
import Foundation

/// `fetch REMOTE [LOCAL]`: copy a file from each host; LOCAL may contain `{host}`.
public struct FetchCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "fetch", synopsis: "fetch REMOTE [LOCAL]",
        summary: "copy a file from each host; LOCAL may contain {host}",
        takesTarget: true,
        options: OptionSpec.rollout,
        help: """
            With several hosts, LOCAL must contain {host}, which becomes each host's name
            (with no / in it); {{ and }} are literal braces.
            Without LOCAL, each file goes to ./fetched/{host}/NAME (NAME: the remote file's name);
            a ./fetched/{host} that is a symlink is refused. Each file is written to a new file beside
            LOCAL and renamed into place once its SHA-1 matched, so a failure leaves LOCAL as it was,
            and a symlink planted at LOCAL is replaced, not followed. It gets the remote file's
            permission bits as your umask allows them (a 0600 file stays 0600).
            The result shows REMOTE (absolute) → LOCAL.

            Examples:
              fetch /etc/os-release 'logs/{host}-os-release'
              @web1 fetch /var/log/syslog syslog
            """)

    public var remote: String
    /// nil: `./fetched/{host}/NAME`.
    public var localTemplate: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> FetchCommand {
        let paths = try arguments.positional(hint: CommandArguments.fileHint)
        guard let remote = paths.first else { throw arguments.error("fetch needs a remote file") }
        guard paths.count <= 2 else { throw arguments.error("too many arguments for fetch") }
        return FetchCommand(remote: remote, localTemplate: paths.count == 2 ? paths[1] : nil)
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        switch context.position {
        case 1: context.remotePaths()
        case 2: context.paths(context.word)
        default: []
        }
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let base = (remote as NSString).lastPathComponent
        let pattern = Session.expandTilde(localTemplate ?? "./fetched/{host}/\(base.isEmpty ? "file" : base)")
        let paths = try HostTemplate.paths(pattern, hosts: try session.resolve(target))
        let (remote, ownFolder) = (self.remote, localTemplate == nil)
        return try await session.operate(
            "fetch", target: target, plan: { host in "fetch \(remote) → \(paths[host] ?? "?")" },
            { tunnel in try await tunnel.fetch(remote, to: paths[tunnel.name], folderMayBeLink: !ownFolder) },
            describe: HostOutcome.fetch)
    }
}
