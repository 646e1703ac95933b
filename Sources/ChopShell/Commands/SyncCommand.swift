import Chopsticks
import Foundation

/// `sync LOCAL_DIR REMOTE_DIR [--delete] [--checksum] [--dry-run]`: rsync's job, with a change list per host.
public struct SyncCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "sync", synopsis: "sync LOCAL_DIR REMOTE_DIR",
        summary: "make a remote folder match a local one: send what differs",
        takesTarget: true,
        options: OptionSpec.rollout + [
            .flag("--delete", "remove what the remote folder has and the local one lacks"),
            .flag("--checksum", "compare files by SHA-1 on both sides, not by size and mtime"),
            .flag("--dry-run", "show each host's change list; touch nothing"),
        ],
        help: """
            Compares first (size and mtime; with --checksum the SHA-1 on both sides), then sends only
            what differs, each file renamed into place once its SHA-1 matched. Each host's result is
            its change list: +added ~changed (content, mode) -removed (only with --delete), and hosts
            with the same changes share a row: "changed · 3 files: +app.conf ~nginx.conf -old.conf",
            or "ok · unchanged". @changed and @unchanged (and %N.changed) name them; --json carries
            the lists; show HOST lists every change. --dry-run (or set dry-run on) shows the change
            lists and touches nothing. {host} in REMOTE_DIR is each member's name.

            Examples:
              sync ./conf.d /etc/app/conf.d
              sync ./site /srv/www --delete --dry-run
            """)

    public var local: String
    public var remote: String
    public var delete = false
    public var checksum = false
    public var dryRun = false

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> SyncCommand {
        let (paths, options) = try arguments.options(hint: CommandArguments.fileHint)
        guard paths.count == 2 else {
            throw arguments.error(
                paths.count < 2 ? "sync needs a local folder and a remote folder" : "too many arguments for sync")
        }
        return SyncCommand(
            local: paths[0], remote: paths[1], delete: options.has("--delete"), checksum: options.has("--checksum"),
            dryRun: options.has("--dry-run"))
    }

    /// A local folder, then a remote one: as `put`'s arguments.
    public static func complete(_ context: CompletionContext) -> [String] { PutCommand.complete(context) }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let path = Session.expandTilde(local)
        return try await TreeTransfer(
            localPath: path, remote: remote, options: TreeOptions(delete: delete, checksum: checksum, dryRun: dryRun),
            verb: "sync"
        ).run(in: session, target: target)
    }
}
