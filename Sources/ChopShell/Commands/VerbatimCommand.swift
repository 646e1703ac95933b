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
