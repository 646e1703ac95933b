/// `ping`: check that each agent answers, with round-trip times.
public struct PingCommand: ChopCommand, Equatable {

    public static let declaration = CommandDeclaration(
        name: "ping", usage: "ping", summary: "check that each agent answers, with round-trip times",
        examples: ["ping", "@failed ping"], takesTarget: true)

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> PingCommand {
        try arguments.expectNone()
        return PingCommand()
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.operate("ping", target: target, { try await $0.ping() }, describe: HostOutcome.ping)
    }
}
