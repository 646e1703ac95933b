import Chopsticks
import Foundation

/// `record FILE` starts writing typed commands to FILE (a replayable script); `record off` stops.
public struct RecordCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "record",
        helpOrder: 380,
        synopsis: "record FILE | record off",
        summary: "save the commands you type to FILE, to replay with source",
        recorded: false,
        help: """
            Examples:
              record deploy.chop
              record off
            """)

    /// nil: `record off`.
    public var path: String?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> RecordCommand {
        guard arguments.words.count == 1 else {
            throw arguments.error(
                arguments.words.isEmpty ? "record needs a file, or off to stop" : "record takes one file")
        }
        return RecordCommand(path: arguments.words[0] == "off" ? nil : arguments.words[0])
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.paths(context.word) + ["off"] : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        session.recorder?.close()
        session.recorder = nil
        guard let path else {
            session.io.error("recording stopped")
            return .ok
        }
        // The header rebuilds the session's state, so the recorded script runs on its own.
        let header =
            ["# chop session recorded \(Date())", "# group at the start: \(NodeSet.fold(session.group.names))"]
            + Self.addLines(in: session) + Self.importLines(in: session) + Self.nameLines(in: session)
            + Self.directoryLines(in: session) + Self.environmentLines(in: session)
        session.recorder = try ScriptRecorder(path: Session.expandTilde(path), header: header)
        session.io.error("recording commands to \(path); 'record off' stops")
        return .ok
    }

    /// `add` lines that rebuild the current group, so a recorded script is self-contained.
    private static func addLines(in session: isolated Session) -> [String] {
        session.group.tunnels.map { tunnel in
            let kind = tunnel.kind
            let python = kind.python.map { " --python \(CommandLineSplitter.quote($0))" } ?? ""
            switch kind {
            case let ssh as SSH:
                let sudo = ssh.sudo ? " --sudo \(CommandLineSplitter.quote(ssh.sudoUser))" : ""
                return "add \(CommandLineSplitter.quote(ssh.name))\(python)\(sudo)"
            case let local as Local: return "add local \(CommandLineSplitter.quote(local.name))\(python)"
            case let sudo as Sudo:
                return
                    "add sudo \(CommandLineSplitter.quote(sudo.user)) \(CommandLineSplitter.quote(sudo.name))\(python)"
            case let docker as Docker:
                let image = CommandLineSplitter.quote(docker.image)
                return "add docker \(CommandLineSplitter.quote(docker.name)) --image \(image)\(python)"
            case let container as DockerExec:
                return "add container \(CommandLineSplitter.quote(container.container))\(python)"
            default: return "# \(tunnel.name): a \(kind.kindName) member cannot be re-created by a script"
            }
        }
    }

    /// `import` lines for the code shipped so far.
    private static func importLines(in session: isolated Session) -> [String] {
        session.shippedRoots.isEmpty
            ? [] : ["import " + session.shippedRoots.map { CommandLineSplitter.quote($0.path) }.joined(separator: " ")]
    }

    /// `cd` lines that put each member back in its directory, one per directory.
    private static func directoryLines(in session: isolated Session) -> [String] {
        var hosts: [String: [String]] = [:]
        for tunnel in session.group.tunnels {
            if let directory = tunnel.directory { hosts[directory, default: []].append(tunnel.name) }
        }
        return hosts.keys.sorted().map { "@\(NodeSet.fold(hosts[$0]!)) cd \(CommandLineSplitter.quote($0))" }
    }

    /// `env` lines for the session environment; a secret is a note, its value left out.
    private static func environmentLines(in session: isolated Session) -> [String] {
        let values = session.environment.values
        return values.keys.sorted().map { name in
            let value = values[name]!
            let line = "env \(name)=" + CommandLineSplitter.quote(SessionEnvironment.shown(name, value))
            return SessionEnvironment.isSecret(name) ? "# \(line)  # \(Session.secretNote)" : line
        }
    }

    /// `name` lines for the named sets, with their hosts as fixed when they were named.
    private static func nameLines(in session: isolated Session) -> [String] {
        session.namedSets.map { "name \($0.name) \(NodeSet.fold($0.hosts))" }
    }
}
