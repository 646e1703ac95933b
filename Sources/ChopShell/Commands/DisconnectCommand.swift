/// `disconnect [TARGET...]`: close connections but keep the members.
public struct DisconnectCommand: TargetListCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "disconnect", synopsis: "disconnect [TARGET...]", summary: "close connections but keep the hosts",
        takesTarget: true,
        help: """
            The agents exit and their tunnels close; the members stay and connect again on their next use.
            Without TARGET: the @TARGET of the line, or else the current target.

            Examples:
              disconnect web[1-4]
            """)

    /// Empty: the line's `@TARGET` or the current target.
    public var targets: [String]

    public init(targets: [String]) { self.targets = targets }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.disconnect(targets, target: target)
    }
}
