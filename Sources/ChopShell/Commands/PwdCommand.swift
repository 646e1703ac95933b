import Chopsticks

/// `pwd`: each host's working directory, as its agent has it (`cd`).
public struct PwdCommand: ArgumentlessCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "pwd",
        helpOrder: 170,
        synopsis: "pwd",
        summary: "show each host's working directory",
        takesTarget: true,
        help: """
            The directory run, script, relative put and fetch paths and py use there (see cd),
            asked of each host, so hosts that agree share a row.

            Examples:
              pwd
              @web* pwd
            """)

    public init() {}

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.operate(
            "pwd", target: target, { try await $0.eval("__import__('os').getcwd()") }, describe: HostOutcome.directory)
    }
}
