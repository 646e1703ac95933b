/// Why a line could not be parsed: one line that tells the user what to type instead.
///
/// Nothing has run when this is thrown, so the REPL can print `message` and prompt again.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A single, user-facing line; for wrong arguments it ends with the command's usage line.
    public let message: String

    /// Control characters in `message` (which often quotes what was typed) are made visible, so the message
    /// stays on one line and cannot drive the terminal.
    public init(_ message: String) {
        self.message = TerminalText.sanitize(message)
    }

    public init(message: String) {
        self.init(message)
    }

    public var description: String { message }
}
