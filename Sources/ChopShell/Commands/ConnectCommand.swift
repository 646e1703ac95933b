/// `connect [TARGET...]`: open connections now (operations also connect on first use).
public struct ConnectCommand: TargetListCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "connect", synopsis: "connect [TARGET...]", summary: "connect now rather than at first use",
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
        try await session.connect(targets, target: target, fresh: false)
    }
}
