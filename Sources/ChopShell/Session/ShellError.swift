/// A user-facing error of the shell: one line that says what to do instead.
public struct ShellError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    /// Control characters in `message` (which often quotes what was typed: a target, a name) are made visible,
    /// so the message stays on one line and cannot drive the terminal.
    public init(_ message: String) { self.message = TerminalText.sanitize(message) }
    public var description: String { message }
}
