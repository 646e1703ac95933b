/// `reconnect [TARGET...]`: close and open again, e.g. after fixing a host.
public struct ReconnectCommand: TargetListCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "reconnect",
        helpOrder: 70,
        synopsis: "reconnect [TARGET...]",
        summary: "close connections and connect again",
        takesTarget: true,
        help: """
            For a host that was fixed or restarted. Without TARGET: the line's @TARGET, or the current one.

            Examples:
              reconnect
              @failed reconnect
            """)

    /// Empty: the line's `@TARGET` or the current target.
    public var targets: [String]

    public init(targets: [String]) { self.targets = targets }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await ConnectCommand.connect(targets, target: target, fresh: true, in: session)
    }
}
