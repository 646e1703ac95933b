/// `last`: show the last result again.
public struct LastCommand: ArgumentlessCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "last", usage: "last", summary: "show the last result again")

    public init() {}

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let report = try session.requireReport()
        session.present(report, remember: false)
        return report.outcomes.contains(where: \.isFailure) ? .hostsFailed : .ok
    }
}
