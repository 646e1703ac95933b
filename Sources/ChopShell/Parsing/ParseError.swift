/// Why a line could not be parsed: one line that tells the user what to type instead.
///
/// Nothing has run when this is thrown, so the REPL can print `message` and prompt again.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of mistake it is, for callers that act on it without reading the words (a script runner, a
    /// test, the batch mode's exit status).
    public enum Kind: Sendable, Equatable {
        /// The command's arguments or options are wrong; the message ends with its usage line.
        case usage
        /// The first word is no command (or `set`/`help` got a name they do not know).
        case unknownName
        /// The line's quoting is unfinished (a quote, a trailing backslash).
        case quoting
        /// The `@TARGET` prefix is empty, alone, or on a command that takes none.
        case target
    }

    /// A single, user-facing line; for wrong arguments it ends with the command's usage line.
    public let message: String
    public let kind: Kind

    /// Control characters in `message` (which often quotes what was typed) are made visible, so the message
    /// stays on one line and cannot drive the terminal.
    public init(_ message: String, kind: Kind = .usage) {
        self.message = TerminalText.sanitize(message)
        self.kind = kind
    }

    public init(message: String, kind: Kind = .usage) {
        self.init(message, kind: kind)
    }

    public var description: String { message }
}
