/// Why a line could not be parsed: one line that tells the user what to type instead.
///
/// Nothing has run when this is thrown, so the REPL can print `message` and prompt again.
public typealias ParseError = OneLineError<ParseErrorKind>

/// What kind of mistake a `ParseError` is, for callers that act on it without reading the words (a script
/// runner, a test, the batch mode's exit status).
public enum ParseErrorKind: OneLineErrorKind {
    /// The command's arguments or options are wrong; the message ends with its usage line. The usual one.
    case usage
    /// The first word is no command (or `set`/`help` got a name they do not know).
    case unknownName
    /// The line's quoting is unfinished (a quote, a trailing backslash).
    case quoting
    /// The `@TARGET` prefix is empty, alone, or on a command that takes none.
    case target

    public static var unlessSaid: Self { .usage }
}

extension OneLineError where Kind == ParseErrorKind {
    public init(message: String, kind: ParseErrorKind = .usage) {
        self.init(message, kind: kind)
    }
}
