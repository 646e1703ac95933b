import Chopsticks
import Foundation

/// `fetch [-r] REMOTE [LOCAL]`: copy a file (a folder with -r, a glob's matches) from each host; LOCAL may contain
/// `{host}`.
public struct FetchCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "fetch",
        helpOrder: 200,
        synopsis: "fetch REMOTE [LOCAL]",
        summary: "copy a file from each host; LOCAL may contain {host}",
        takesTarget: true,
        options: OptionSpec.rollout + [
            .flag("--recursive", short: "-r", "REMOTE is a folder: copy it and everything under it")
        ],
        help: """
            With several hosts, LOCAL must contain {host}, which becomes each host's name
            (with no / in it); {{ and }} are literal braces.
            Without LOCAL, each file goes to ./fetched/{host}/NAME (NAME: the remote file's name);
            a ./fetched/{host} that is a symlink is refused. Each file is written to a new file beside
            LOCAL and renamed into place once its SHA-1 matched, so a failure leaves LOCAL as it was,
            and a symlink planted at LOCAL is replaced, not followed. It gets the remote file's
            permission bits as your umask allows them (a 0600 file stays 0600).
            The result shows REMOTE (absolute) → LOCAL.
            With -r, REMOTE is a folder: its tree goes to ./fetched/{host}/NAME (or LOCAL), files with
            their mode and mtime, symlinks as symlinks; a name that climbs out (..) or a symlink that
            points out of the tree is refused. A glob (* ? [) expands on each host, without a shell:
            every match goes to ./fetched/{host}/ (or the folder LOCAL); a host with no match is an error.

            Examples:
              fetch /etc/os-release 'logs/{host}-os-release'
              @web1 fetch /var/log/syslog syslog
              fetch -r /etc/app
              fetch '/var/log/app/*.log'
            """)

    public var remote: String
    /// nil: `./fetched/{host}/NAME`.
    public var localTemplate: String?
    /// `-r`: REMOTE is a folder, copied whole.
    public var recursive = false

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> FetchCommand {
        let (paths, options) = try arguments.options(hint: CommandArguments.fileHint)
        let recursive = options.has("--recursive")
        guard let remote = paths.first else {
            throw arguments.error(recursive ? "fetch -r needs a remote folder" : "fetch needs a remote file")
        }
        guard paths.count <= 2 else { throw arguments.error("too many arguments for fetch") }
        return FetchCommand(remote: remote, localTemplate: paths.count == 2 ? paths[1] : nil, recursive: recursive)
    }

    /// True when REMOTE is a pattern for the host to expand (`*`, `?`, `[`).
    var isGlob: Bool { remote.contains { "*?[".contains($0) } }

    public static func complete(_ context: CompletionContext) -> [String] {
        switch context.position {
        case 1: context.remotePaths()
        case 2: context.paths(context.word)
        default: []
        }
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        if recursive || isGlob { return try await fetchTree(in: session, target: target) }
        let base = (remote as NSString).lastPathComponent
        let pattern = Session.expandTilde(localTemplate ?? "./fetched/{host}/\(base.isEmpty ? "file" : base)")
        let paths = try HostTemplate.paths(pattern, hosts: try session.resolve(target))
        let (remote, ownFolder) = (self.remote, localTemplate == nil)
        return try await session.operate(
            "fetch", target: target, plan: { host in "fetch \(remote) → \(paths[host] ?? "?")" },
            { tunnel in try await tunnel.fetch(remote, to: paths[tunnel.name], folderMayBeLink: !ownFolder) },
            describe: HostOutcome.fetch)
    }

    /// `fetch -r` and globs: each host's files land under its own folder.
    private func fetchTree(in session: isolated Session, target: String?) async throws -> CommandResult {
        let base = isGlob ? "" : (remote as NSString).lastPathComponent
        let folder = "./fetched/{host}" + (base.isEmpty || base == "/" ? "" : "/\(base)")
        let paths = try HostTemplate.paths(
            Session.expandTilde(localTemplate ?? folder), hosts: try session.resolve(target))
        let (remote, glob, recursive) = (self.remote, isGlob, self.recursive)
        return try await session.operate(
            "fetch", target: target,
            plan: { host in "fetch \(recursive ? "-r " : "")\(remote) → \(paths[host] ?? "?")" },
            { tunnel in
                try await tunnel.fetchTree(remote, to: paths[tunnel.name]!, glob: glob, recursive: recursive)
            }, describe: HostOutcome.fetchedTree)
    }
}
