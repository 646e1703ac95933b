/// A user-facing error of the shell: one line that says what to do instead.
public struct ShellError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers that act on it without reading the words.
    public enum Kind: Sendable, Equatable {
        /// A target names no member or an empty set (`@nobody`, `@failed` before any operation).
        case target
        /// A local file or folder is missing or cannot be read or written.
        case localFile
        /// The command cannot do its work (nothing to act on, a host refused, a check failed).
        case failed
    }

    public let message: String
    public let kind: Kind
    /// Control characters in `message` (which often quotes what was typed: a target, a name) are made visible,
    /// so the message stays on one line and cannot drive the terminal.
    public init(_ message: String, kind: Kind = .failed) {
        self.message = TerminalText.sanitize(message)
        self.kind = kind
    }
    public var description: String { message }
}
