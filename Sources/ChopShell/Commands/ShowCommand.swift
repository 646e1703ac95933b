/// `show HOST`: one host's complete output from the last result.
public struct ShowCommand: OneWordCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "show", usage: "show HOST", summary: "show HOST's complete output from the last result",
        help: """
            Every line of stdout, then stderr and any traceback, shown whole (control characters made visible).

            Examples:
              show web03
            """)

    public var word: String

    public init(word: String) { self.word = word }

    public static let wordName = "host"

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.members : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let outcome = try session.outcome(for: word)
        if session.settings.output == .json {
            session.emit([
                "host": ResultRenderer.jsonObject(outcome), "of": .string(session.lastReport?.operation ?? ""),
            ])
        } else {
            for line in session.renderer().show(outcome) { session.io.print(line) }
        }
        return .ok
    }
}
