import Chopsticks

/// Why a command line could not be split.
///
/// Every case means the input ended in the middle of a construct, so an interactive caller can check `kind` and
/// prompt for a continuation line instead of reporting an error.
public struct SplitError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The construct that was left open at the end of the input.
    public enum Kind: Equatable, Sendable {
        /// A `'` without its closing `'`.
        case unterminatedSingleQuote
        /// A `"` without its closing `"`.
        case unterminatedDoubleQuote
        /// A `\` as the very last character, with nothing to escape.
        case trailingBackslash
    }

    /// The construct that was left open.
    public let kind: Kind
    /// The line (1-based) where it was opened, for texts of several lines.
    public let line: Int

    /// Creates an error of the given kind.
    public init(_ kind: Kind, line: Int = 1) {
        self.kind = kind
        self.line = line
    }

    /// A one-line, user-facing explanation.
    public var message: String {
        switch kind {
        case .unterminatedSingleQuote: "unterminated single quote"
        case .unterminatedDoubleQuote: "unterminated double quote"
        case .trailingBackslash: "trailing backslash with nothing to escape"
        }
    }

    public var description: String { message }
}
