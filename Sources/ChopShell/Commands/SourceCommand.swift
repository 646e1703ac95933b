/// `source FILE`: run chop commands from a file.
public struct SourceCommand: OneWordCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "source",
        helpOrder: 370,
        synopsis: "source FILE",
        summary: "run chop commands from FILE",
        help: """
            One command a line; # starts a comment. With set errexit on, a failure stops the file.

            Examples:
              source deploy.chop
            """)

    public var word: String

    public init(word: String) { self.word = word }

    public static let wordName = "file"

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.paths(context.word) : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        guard session.sourceDepth < 16 else {
            session.io.error("chop: source nested too deeply (a script sources itself?)")
            return .error
        }
        guard let text = try? String(contentsOfFile: Session.expandTilde(word), encoding: .utf8) else {
            session.io.error("chop: cannot read script \(word)")
            return .error
        }
        session.sourceDepth += 1
        defer { session.sourceDepth -= 1 }
        return await session.runScript(text, name: word)
    }
}
