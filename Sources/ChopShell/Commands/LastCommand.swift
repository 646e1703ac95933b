/// `last`: show the last result again.
public struct LastCommand: ChopCommand, Equatable {

    public static let declaration = CommandDeclaration(
        name: "last", usage: "last", summary: "show the last result again")

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> LastCommand {
        try arguments.expectNone()
        return LastCommand()
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let report = try session.requireReport()
        session.present(report, remember: false)
        return report.outcomes.contains(where: \.isFailure) ? .hostsFailed : .ok
    }
}
