/// An error a person reads: one line that says what to do instead, and a kind for code that acts on it without
/// reading the words (a script runner, a test, batch mode's exit status). The shell's errors (`ShellError`) and
/// the parser's (`ParseError`) are this one type with their own kinds.
public struct OneLineError<K: OneLineErrorKind>: Error, Sendable, Equatable, CustomStringConvertible {
    /// `ShellError.Kind`, `ParseError.Kind`: the kinds of this error.
    public typealias Kind = K

    public let message: String
    public let kind: Kind

    /// Control characters in `message` (which often quotes what was typed: a target, a name) are made visible,
    /// so the message stays on one line and cannot drive the terminal.
    public init(_ message: String, kind: Kind = .unlessSaid) {
        self.message = TerminalText.sanitize(message)
        self.kind = kind
    }

    public var description: String { message }
}

/// The kinds of one `OneLineError`, and the one an error has when its thrower names none.
public protocol OneLineErrorKind: Sendable, Equatable {
    static var unlessSaid: Self { get }
}
