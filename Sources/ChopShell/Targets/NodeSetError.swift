/// Why a host pattern could not be expanded.
///
/// The REPL prints `description` verbatim after the command name, so the message is a single line that names the
/// offending part of the pattern; `kind` lets callers and tests react to the category without parsing text.
public struct NodeSetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The category of mistake in the pattern.
    public enum Kind: Equatable, Sendable {
        /// A `[` without its `]`, a `]` without its `[`, or a `[` inside another bracket group.
        case unbalancedBracket
        /// `[]` or an empty element such as `[1,,3]`.
        case emptyRange
        /// A range whose start is greater than its end, such as `[5-1]`.
        case reversedRange
        /// A bracket element that is not `N`, `N-M` or `N-M/S` with decimal digits.
        case nonNumericRange
        /// A number with more digits than fit in a machine integer.
        case numberTooLarge
        /// A step of zero, or a step on a single number.
        case invalidStep
        /// The pattern would produce more than `NodeSet.maximumNames` names.
        case tooManyNames
        /// An empty item between commas, or before or after them: `a,,b`, `,`, `web1,`.
        case emptyItem
        /// A zero-padded range whose ends differ in digits: `[1-044]`, `[001-44]`.
        case paddingMismatch
    }

    /// The category of mistake.
    public let kind: Kind
    /// A one-line, user-facing explanation.
    public let message: String

    /// Creates an error; `message` should be a single line that names the offending part of the pattern. Control
    /// characters in it (the pattern is quoted as typed) are made visible, so it stays one line.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = TerminalText.sanitize(message)
    }

    public var description: String { message }
}
