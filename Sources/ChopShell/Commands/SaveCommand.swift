import Chopsticks

/// `save [%N] DIR`: a result's output in files, one pair per host, and its JSON document.
public struct SaveCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "save",
        helpOrder: 330,
        synopsis: "save [%N] DIR",
        summary: "save a result's output to files, one per host and stream",
        help: """
            Writes each host's stdout and stderr of result N (default: the last) to DIR/HOST.out and
            DIR/HOST.err, the whole output (read back from its file when it outgrew keep-bytes), and
            DIR/result.json, the --json document. Files are mode 0600 and replace what was there (a
            symlink at a name is replaced, not followed); DIR is made if needed. set save-dir DIR saves
            every result as it comes, in DIR/N.

            Examples:
              save ./out
              save %3 /tmp/upgrade-check
            """)

    /// Nil: the last result.
    public var number: Int?
    public var folder: String

    public init(number: Int?, folder: String) {
        self.number = number
        self.folder = folder
    }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> SaveCommand {
        var words = try arguments.positional(hint: CommandArguments.fileHint)
        var number: Int?
        if let first = words.first, first.hasPrefix("%") {
            guard let parsed = ResultHistory.reference(first) else {
                throw arguments.error("'\(first)' is not a result; write %N, e.g. %3")
            }
            number = parsed
            words.removeFirst()
        }
        guard let folder = words.first else { throw arguments.error("save needs a folder, e.g. save ./out") }
        guard words.count == 1 else { throw arguments.error("save takes one folder") }
        return SaveCommand(number: number, folder: folder)
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.paths(context.word)
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let report = try session.report(number)
        let folder = Session.expandTilde(self.folder)
        try ResultFiles.save(report, to: folder, renderer: session.renderer())
        let hosts = report.outcomes.count
        session.say("saved \(report.number.map { "%\($0)" } ?? "the result"): \(counted(hosts, "host")) to \(folder)")
        return .ok
    }
}
