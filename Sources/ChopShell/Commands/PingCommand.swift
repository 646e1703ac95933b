/// `ping`: check that each agent answers, with round-trip times.
public struct PingCommand: ArgumentlessCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "ping",
        helpOrder: 220,
        synopsis: "ping",
        summary: "check that each agent answers, with round-trip times",
        takesTarget: true,
        options: OptionSpec.rollout,
        help: """
            Examples:
              ping
              @failed ping
            """)

    public init() {}

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.operate("ping", target: target, { try await $0.ping() }, describe: HostOutcome.ping)
    }
}
