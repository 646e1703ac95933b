/// `disconnect [--persist] [TARGET...]`: close connections but keep the members.
public struct DisconnectCommand: TargetListCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "disconnect", usage: "disconnect [--persist] [TARGET...]",
        summary: "close connections but keep the hosts",
        takesTarget: true,
        help: """
            The agents exit and their tunnels close; the members stay and connect again on their next use.
            Without TARGET: the @TARGET of the line, or else the current target.
            --persist also ends the ssh master connections they share between runs (set persist), and
            their jump hosts': the next connect pays the whole handshake again.

            Examples:
              disconnect web[1-4]
              disconnect --persist
            """)

    /// Empty: the line's `@TARGET` or the current target.
    public var targets: [String]
    /// End the shared ssh masters too.
    public var persist = false

    public init(targets: [String]) { self.targets = targets }

    public init(targets: [String], persist: Bool) {
        self.targets = targets
        self.persist = persist
    }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> Self {
        var rest = arguments
        rest.words.removeAll { $0 == "--persist" }
        if let target = rest.target, !rest.words.isEmpty {
            throw rest.error("give the hosts either as '@\(target)' or after disconnect, not both")
        }
        let targets = try rest.targetWords()
        if let option = targets.first(where: { $0.hasPrefix("-") }) {
            throw rest.error("unknown option '\(option)' for disconnect")
        }
        return Self(targets: targets, persist: rest.words.count != arguments.words.count)
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.targetWords() }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await session.disconnect(targets, target: target, persist: persist)
    }
}
