/// `show [%N] HOST`: one host's complete output from the last result, or from result `%N`.
public struct ShowCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "show",
        helpOrder: 310,
        synopsis: "show [%N] HOST",
        summary: "show HOST's complete output from the last result or %N",
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
        switch context.position {
        case 1: context.members + context.resultReferences
        case 2: context.members
        default: []
        }
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        var outcome = try session.outcome(for: host, in: result)
        if let spilled = outcome.spilled, session.settings.output != .json {
            // Spilled output can be large: read back and printed line by line, never held whole.
            Self.stream(outcome, spilled, renderer: session.renderer(), print: session.io.print)
            return .ok
        }
        // The exact text, all of it: spilled output is read back.
        (outcome.output, outcome.errorOutput) = (outcome.fullOutput, outcome.fullErrorOutput)
        if let detail = outcome.detail { outcome.output += "\n" + detail }
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

    /// `show` of a spilled outcome: the heading, then each file's lines as they are read.
    static func stream(
        _ outcome: HostOutcome, _ spilled: SpilledOutput, renderer: ResultRenderer, print: (String) -> Void
    ) {
        var heading = outcome
        (heading.output, heading.errorOutput) = ("", "")
        print(renderer.show(heading).first ?? outcome.host)
        let parts: [(String?, String, String?)] = [
            (spilled.stdout, outcome.output, nil), (spilled.stderr, outcome.errorOutput, "--- stderr ---"),
        ]
        for (path, text, marker) in parts {
            guard path != nil || !text.isEmpty else { continue }
            if let marker { print(marker) }
            guard let path else {
                for line in ResultRenderer.HostText.lines(text) { print(line) }
                continue
            }
            FileLines.read(path) { print(TerminalText.sanitize($0)) }
        }
    }
}
