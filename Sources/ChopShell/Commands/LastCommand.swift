/// `last [%N]`: show the last result again, or result `%N`.
public struct LastCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "last",
        helpOrder: 260,
        synopsis: "last [%N]",
        summary: "show the last result again, or result %N (see results)",
        help: """
            Examples:
              last
              last %3
            """)

    /// nil: the last result.
    public var result: Int?

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> LastCommand {
        switch arguments.words.count {
        case 0: return LastCommand(result: nil)
        case 1:
            guard let number = ResultHistory.reference(arguments.words[0]) else {
                throw arguments.error("'\(arguments.words[0])' is not a result; write %N, e.g. last %3")
            }
            return LastCommand(result: number)
        default: throw arguments.error("last takes at most one result")
        }
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.resultReferences : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        var report = try session.report(result)
        report.streamedOutput = false  // shown again: all of it
        await session.present(report, remember: false)
        return report.outcomes.contains(where: \.isFailure) ? .hostsFailed : .ok
    }
}
