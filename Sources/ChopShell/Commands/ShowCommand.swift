/// `show [%N] HOST`: one host's complete output from the last result, or from result `%N`.
public struct ShowCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "show", usage: "show [%N] HOST", summary: "show HOST's complete output from the last result or %N",
        help: """
            Every line of stdout, then stderr and any traceback, shown whole (control characters made visible):
            the exact text, whatever the gathered view summarised. A long one goes through the pager.

            Examples:
              show web03
              show %3 web03
            """)

    /// nil: the last result.
    public var result: Int?
    public var host: String

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> ShowCommand {
        let words = arguments.words
        guard words.count == 1 || (words.count == 2 && ResultHistory.reference(words[0]) != nil) else {
            throw arguments.error(words.isEmpty ? "show needs a host" : "show takes one host, after an optional %N")
        }
        return ShowCommand(result: words.count == 2 ? ResultHistory.reference(words[0]) : nil, host: words.last!)
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position <= 2 ? context.members : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let outcome = try session.outcome(for: host, in: result)
        if session.settings.output == .json {
            let report = try session.report(result)
            session.emit([
                "host": ResultRenderer.jsonObject(outcome), "of": .string(report.operation),
                "result": report.number.map { .int(Int64($0)) } ?? .null,
            ])
        } else {
            await session.page(session.renderer().show(outcome))
        }
        return .ok
    }
}
