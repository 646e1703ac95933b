/// `py CODE`: Python statements on each host, in a namespace that lives as long as the connection.
public struct PyCommand: ChopCommand, Equatable {
    /// The code exactly as typed, for the same reason as `run`.
    public var code: String

    public static let declaration = CommandDeclaration(
        name: "py", usage: "py CODE", summary: "run Python statements on each host",
        details: [
            "CODE is passed exactly as typed. Each host keeps its own namespace until it disconnects,",
            "so names defined by one py line can be used by the next. The last expression is shown.",
        ],
        examples: ["py import os", "py os.getpid()", "py [l for l in open('/etc/hosts') if 'db' in l]"],
        takesTarget: true, rawArguments: true)

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> PyCommand {
        guard !arguments.raw.isEmpty else { throw ParseError("py needs Python code, e.g. py import os; os.getcwd()") }
        return PyCommand(code: arguments.raw)
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let code = self.code
        return try await session.operate("py", target: target, { try await $0.exec(code) }, describe: HostOutcome.exec)
    }
}
