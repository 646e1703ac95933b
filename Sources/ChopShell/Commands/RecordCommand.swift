import Foundation

/// `record FILE` starts writing typed commands to FILE (a replayable script); `record off` stops.
public struct RecordCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "record", synopsis: "record FILE | record off",
        summary: "save the commands you type to FILE, to replay with source", recorded: false,
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
            + session.addLines() + session.importLines() + session.nameLines() + session.directoryLines()
            + session.environmentLines()
        session.recorder = try ScriptRecorder(path: Session.expandTilde(path), header: header)
        session.io.error("recording commands to \(path); 'record off' stops")
        return .ok
    }
}
