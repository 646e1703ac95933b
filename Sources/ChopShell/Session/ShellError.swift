/// A user-facing error of the shell: one line that says what to do instead.
public typealias ShellError = OneLineError<ShellErrorKind>

/// What went wrong, for callers that act on a `ShellError` without reading the words.
public enum ShellErrorKind: OneLineErrorKind {
    /// A target names no member or an empty set (`@nobody`, `@failed` before any operation).
    case target
    /// A local file or folder is missing or cannot be read or written.
    case localFile
    /// The command cannot do its work (nothing to act on, a host refused, a check failed): the usual one.
    case failed

    public static var unlessSaid: Self { .failed }
}
