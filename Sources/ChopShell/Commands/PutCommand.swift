import Chopsticks
import Foundation

/// `put LOCAL [REMOTE] [--mode MODE]`: copy a local file to each host; `put -r LOCAL_DIR REMOTE_DIR`: a tree.
public struct PutCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "put", synopsis: "put LOCAL [REMOTE]", summary: "copy a local file to each host",
        takesTarget: true,
        options: OptionSpec.rollout + [
            .value("--mode", "MODE", example: "0755", "permission bits, octal (default: the local file's)"),
            .flag("--recursive", short: "-r", "copy a folder and everything under it to REMOTE (a folder)"),
        ],
        help: """
            The file is written under a temporary name, checked by SHA-1, then renamed into place.
            Without REMOTE, each host gets a temporary file. MODE is octal; without it the file gets
            the local file's permission bits as your umask allows them (a 0600 file stays 0600).
            {host} in REMOTE is each member's name (with no / in it); {{ and }} are literal braces.
            A host that has the same bytes and mode there already is "ok · unchanged" (nothing written);
            one that got the file is "changed" (@changed, @unchanged).
            With -r, the folder's tree: files keep their mode and mtime, folders their mode, symlinks
            are sent as symlinks (never followed), empty folders arrive; devices, fifos and sockets are
            skipped and counted. Each file is renamed into place once its SHA-1 matched; a file that
            fails is listed and the rest still arrive. 'sync' sends only what differs.

            Examples:
              put app.conf /etc/app/app.conf
              put app.conf /etc/app/{host}.conf
              put "my script.sh" /usr/local/bin/job --mode 0755
              put -r ./conf.d /etc/app/conf.d
            """)

    public var local: String
    /// nil: a temporary file on each host.
    public var remote: String?
    /// Permission bits (`0755` → 493); nil for the local file's own (`LocalFile.copyMode`).
    public var mode: Int?
    /// `-r`: `local` is a folder, copied whole to `remote`.
    public var recursive = false

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> PutCommand {
        let (paths, options) = try arguments.options(hint: CommandArguments.fileHint)
        if options.has("--recursive") {
            guard paths.count == 2 else { throw arguments.error("put -r needs a local folder and a remote folder") }
            guard !options.has("--mode") else {
                throw arguments.error("put -r keeps each file's own mode; drop --mode")
            }
            return PutCommand(local: paths[0], remote: paths[1], mode: nil, recursive: true)
        }
        guard let local = paths.first else { throw arguments.error("put needs a local file") }
        guard paths.count <= 2 else { throw arguments.error("too many arguments for put") }
        var mode: Int?
        if let text = options.value("--mode") {
            guard let value = parseMode(text) else {
                throw arguments.error("mode must be octal, such as 0644 or 0755, not '\(text)'")
            }
            mode = value
        }
        return PutCommand(local: local, remote: paths.count == 2 ? paths[1] : nil, mode: mode)
    }

    /// Reads `0755`, `755` or `0o755` as permission bits, up to `0o7777`.
    static func parseMode(_ text: String) -> Int? {
        var digits = Substring(text)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") {
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }),
            let value = Int(digits, radix: 8), value <= 0o7777
        else { return nil }
        return value
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        switch context.position {
        case 1: context.paths(context.word)
        case 2: context.remotePaths()
        default: []
        }
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let path = Session.expandTilde(local)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ShellError("local file not found: \(local)", kind: .localFile)
        }
        if recursive, let remote {
            return try await TreeTransfer(
                localPath: path, remote: remote, options: TreeOptions(everyFile: true), verb: "put"
            )
            .run(in: session, target: target)
        }
        let names = try session.resolve(target)
        // In waves, a host may never start (a stop after --max-fail): each reads the file on its own then, so
        // no shared read waits for a host that is not coming.
        let plan = try await PutPlan.prepare(
            path, remote, mode: mode, hosts: names, fanout: session.rolling ? 1 : session.settings.fanout)
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = attributes?[.size] as? Int ?? 0
        let ownMode = LocalFile.copyMode(of: (attributes?[.posixPermissions] as? NSNumber)?.intValue ?? 0)
        let (remote, mode) = (self.remote, String(self.mode ?? ownMode, radix: 8))
        let preview: (String) -> String = { host in
            "put \(path) (\(size) bytes) → \(remote.map { HostTemplate.path($0, host: host) } ?? "a temporary file"), mode \(mode)"
        }
        return try await session.operate(
            "put", target: target, names: names, plan: preview, { try await plan.put(on: $0) },
            describe: HostOutcome.put)
    }
}
