import Chopsticks

/// `failures`: the hosts that failed in the last result, and why.
public struct FailuresCommand: ArgumentlessCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "failures",
        helpOrder: 290,
        synopsis: "failures",
        summary: "show the hosts that failed last time, and why",
        help: """
            Follow up with @failed run … or @failed reconnect.
            """)

    public init() {}

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let report = try session.requireReport()
        let failed = report.outcomes.filter(\.isFailure)
        if session.settings.output == .json {
            session.emit(["hosts": .array(failed.map(ResultRenderer.jsonObject)), "of": .string(report.operation)])
        } else if failed.isEmpty {
            session.io.print("no failures in the last operation (\(report.operation))")
        } else {
            for line in session.renderer().failures(report) { session.io.print(line) }
        }
        return .ok
    }
}
