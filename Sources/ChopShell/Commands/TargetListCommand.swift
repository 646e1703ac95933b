/// A command that takes a list of targets, each with an optional `@`: `remove`, `log`, and the connection
/// commands (which also accept the line's `@TARGET`, not both).
public protocol TargetListCommand: ChopCommand {
    init(targets: [String])
    /// Whether at least one target is needed.
    static var needsTargets: Bool { get }
}

extension TargetListCommand {
    public static var needsTargets: Bool { false }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> Self {
        if needsTargets, arguments.words.isEmpty {
            throw arguments.error("\(arguments.command) needs at least one target")
        }
        if let target = arguments.target, !arguments.words.isEmpty {
            throw arguments.error("give the hosts either as '@\(target)' or after \(arguments.command), not both")
        }
        return Self(targets: try arguments.targetWords())
    }

    public static func complete(_ context: CompletionContext) -> [String] { context.targetWords() }
}
