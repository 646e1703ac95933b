/// Grammars that several commands share, as protocols with a default `parse`: a command adopts one and
/// declares only what is its own (swift-argument-parser's property wrappers play this part there).

/// A command that takes no arguments: `hosts`, `ping`, `last`, `failures`, `quit`.
public protocol ArgumentlessCommand: ChopCommand {
    init()
}

extension ArgumentlessCommand {
    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> Self {
        try arguments.expectNone()
        return Self()
    }
}

/// A command whose argument is the rest of the line, verbatim, for another interpreter: `run`, `py`, `!`.
public protocol VerbatimCommand: ChopCommand {
    init(text: String)
    /// The error when the text is missing, with an example.
    static var missingText: String { get }
}

extension VerbatimCommand {
    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> Self {
        guard !arguments.raw.isEmpty else { throw ParseError(missingText) }
        return Self(text: arguments.raw)
    }
}

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

/// A command that takes exactly one word: `show HOST`, `source FILE`.
public protocol OneWordCommand: ChopCommand {
    init(word: String)
    /// What the word is, for errors: "host", "file".
    static var wordName: String { get }
}

extension OneWordCommand {
    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> Self {
        guard arguments.words.count == 1 else {
            let name = arguments.command
            throw arguments.error(
                arguments.words.isEmpty ? "\(name) needs a \(wordName)" : "\(name) takes one \(wordName)")
        }
        return Self(word: arguments.words[0])
    }
}
