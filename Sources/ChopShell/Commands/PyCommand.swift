/// `py CODE`: Python statements on each host, in a namespace that lives as long as the connection.
public struct PyCommand: VerbatimCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "py",
        helpOrder: 120,
        synopsis: "py CODE",
        summary: "run Python statements on each host",
        takesTarget: true,
        rawArguments: true,
        options: OptionSpec.rollout,
        help: """
            CODE is passed exactly as typed. Each host keeps its own namespace until it disconnects,
            so names defined by one py line can be used by the next. The last expression is shown.

            Examples:
              py import os
              py os.getpid()
              py [l for l in open('/etc/hosts') if 'db' in l]
            """)

    /// The code exactly as typed, for the same reason as `run`.
    public var text: String

    public init(text: String) { self.text = text }

    public static let missingText = "py needs Python code, e.g. py import os; os.getcwd()"

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let code = self.text
        return try await session.operate("py", target: target, { try await $0.exec(code) }, describe: HostOutcome.exec)
    }
}
