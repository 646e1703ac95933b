import Chopsticks

/// `connect [TARGET...]`: open connections now (operations also connect on first use).
public struct ConnectCommand: TargetListCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "connect",
        helpOrder: 50,
        synopsis: "connect [TARGET...]",
        summary: "connect now rather than at first use",
        takesTarget: true,
        help: """
            Members also connect on first use; connect opens them now and shows who answered and how fast.
            Without TARGET: the @TARGET of the line, or else the current target (see use).

            Examples:
              connect
              connect db*
            """)

    /// Empty: the line's `@TARGET` or the current target.
    public var targets: [String]

    public init(targets: [String]) { self.targets = targets }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await Self.connect(targets, target: target, fresh: false, in: session)
    }

    /// Connects `targets` (none: the line's `@TARGET` or the current target) as one operation, each host's
    /// answer timed; `fresh` closes them first (`reconnect`, and after `trust` and `password`).
    static func connect(
        _ targets: [String], target: String?, fresh: Bool, in session: isolated Session
    ) async throws -> CommandResult {
        let names = targets.isEmpty ? try session.resolve(target) : try session.resolver().resolve(targets)
        let members = session.group.subset(names)
        if fresh {
            await withTaskGroup(of: Void.self) { tasks in
                for tunnel in members.tunnels { tasks.addTask { await tunnel.disconnect() } }
            }
        }
        return try await session.operate(
            fresh ? "reconnect" : "connect", target: nil, names: names,
            { tunnel in
                let start = ContinuousClock.now
                try await tunnel.connect()
                return PingResult(seconds: start.duration(to: .now).seconds)
            },
            describe: { host, ping in
                HostOutcome(host: host, seconds: ping.seconds, output: "connected")
            })
    }
}
