import Chopsticks

/// POSIX-shell-like splitting of REPL input, so users can quote arguments the way they do in their login shell.
///
/// Splitting happens in two stages: `commands` cuts a `-c` string or script into commands (honouring quotes,
/// comments and line continuations) without interpreting their words, then `words` splits one command into
/// arguments. No expansion of any kind (variables, globs, `~`) takes place: the remote shell does that.
public enum CommandLineSplitter {
    /// Splits one command into words.
    ///
    /// - Unquoted spaces, tabs, carriage returns and newlines separate words.
    /// - `'…'` is literal; `"…"` is literal except that `\` escapes `"`, `\`, `$` and a backtick (any other
    ///   backslash is kept); outside quotes `\` escapes the next character.
    /// - `\` followed by a newline is a line continuation and disappears, outside single quotes.
    /// - Quotes join adjacent text into one word (`a'b'"c"` → `abc`), and `''` or `""` alone give an empty word.
    /// - `#` is not special here; `commands` strips comments before words are split.
    ///
    /// - Throws: `SplitError` for an unterminated quote or a trailing backslash.
    public static func words(_ line: String) throws(SplitError) -> [String] {
        let input = Array(line.unicodeScalars)
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var inWord = false
        var index = 0
        while index < input.count {
            let scalar = input[index]
            switch scalar {
            case " ", "\t", "\n", "\r":
                if inWord {
                    words.append(String(word))
                    word = String.UnicodeScalarView()
                    inWord = false
                }
                index += 1
            case "'":
                inWord = true
                index += 1
                while index < input.count, input[index] != "'" {
                    word.append(input[index])
                    index += 1
                }
                guard index < input.count else { throw SplitError(.unterminatedSingleQuote) }
                index += 1
            case "\"":
                inWord = true
                index += 1
                while true {
                    guard index < input.count else { throw SplitError(.unterminatedDoubleQuote) }
                    let inner = input[index]
                    if inner == "\"" {
                        index += 1
                        break
                    }
                    if inner == "\\", index + 1 < input.count {
                        let next = input[index + 1]
                        if next == "\n" {
                            index += 2
                            continue
                        }
                        if next == "\"" || next == "\\" || next == "$" || next == "`" {
                            word.append(next)
                            index += 2
                            continue
                        }
                    }
                    word.append(inner)
                    index += 1
                }
            case "\\":
                guard index + 1 < input.count else { throw SplitError(.trailingBackslash) }
                let next = input[index + 1]
                index += 2
                if next != "\n" {
                    word.append(next)
                    inWord = true
                }
            default:
                word.append(scalar)
                inWord = true
                index += 1
            }
        }
        if inWord {
            words.append(String(word))
        }
        return words
    }

    /// Splits a `-c` string into commands; see `numberedCommands` for the rules.
    public static func commands(_ text: String) throws(SplitError) -> [String] {
        try numberedCommands(text, semicolons: true).map(\.text)
    }

    /// One command of a script or `-c` text, with the line it starts on (1-based), for `FILE:LINE:` messages.
    public struct NumberedCommand: Equatable, Sendable {
        public var line: Int
        public var text: String

        public init(line: Int, text: String) {
            self.line = line
            self.text = text
        }
    }

    /// Splits script or `-c` text into commands: the one reader for both, so text is split exactly once.
    ///
    /// Commands end at an unquoted, unescaped newline, and also at `;` when `semicolons` is true (for `-c`;
    /// scripts keep `;` for `py` code). Quotes may span lines: `run echo "one<newline>two"` is one command. A `#`
    /// at the start of a word starts a comment that runs to the end of the line, and `\` followed by a newline
    /// joins two lines. The returned commands keep their quotes and escapes (feed them to `words`), are trimmed,
    /// and empty ones are dropped.
    ///
    /// - Throws: `SplitError` for an unterminated quote or a trailing backslash, with the line where it
    ///   started, so that multi-line input can be completed before anything runs.
    public static func numberedCommands(_ text: String, semicolons: Bool) throws(SplitError) -> [NumberedCommand] {
        let input = Array(text.unicodeScalars)
        var commands: [NumberedCommand] = []
        var command: [Unicode.Scalar] = []
        // Length of `command` up to its last character that is not unquoted, unescaped whitespace; trimming at
        // this point keeps an escaped trailing space (`echo a\ `) intact.
        var significantLength = 0
        var atWordStart = true
        var index = 0
        var line = 1
        var commandLine: Int?

        func finishCommand() {
            let firstSignificant = command.firstIndex { !LineText.isSpace($0) } ?? command.count
            if firstSignificant < significantLength {
                var scalars = String.UnicodeScalarView()
                scalars.append(contentsOf: command[firstSignificant..<significantLength])
                commands.append(NumberedCommand(line: commandLine ?? line, text: String(scalars)))
            }
            command = []
            significantLength = 0
            commandLine = nil
        }
        /// Appends a significant scalar, noting the line where the command starts.
        func take(_ scalar: Unicode.Scalar) {
            if commandLine == nil { commandLine = line }
            command.append(scalar)
            if scalar == "\n" { line += 1 }
        }

        while index < input.count {
            let scalar = input[index]
            switch scalar {
            case "\\":
                guard index + 1 < input.count else { throw SplitError(.trailingBackslash, line: line) }
                if input[index + 1] != "\n" {
                    take(scalar)
                    take(input[index + 1])
                    significantLength = command.count
                    atWordStart = false
                    index += 2
                } else {
                    // A continued line joins with one space, its indentation dropped (as scripts are written).
                    line += 1
                    index += 2
                    while index < input.count, input[index] == " " || input[index] == "\t" { index += 1 }
                    if let last = command.last, !LineText.isSpace(last) {
                        command.append(" ")
                        atWordStart = true
                    }
                }
            case "'":
                let opened = line
                take(scalar)
                index += 1
                while index < input.count, input[index] != "'" {
                    take(input[index])
                    index += 1
                }
                guard index < input.count else { throw SplitError(.unterminatedSingleQuote, line: opened) }
                take(input[index])
                significantLength = command.count
                index += 1
                atWordStart = false
            case "\"":
                let opened = line
                take(scalar)
                index += 1
                while true {
                    guard index < input.count else { throw SplitError(.unterminatedDoubleQuote, line: opened) }
                    let inner = input[index]
                    if inner == "\\", index + 1 < input.count {
                        if input[index + 1] != "\n" {
                            take(inner)
                            take(input[index + 1])
                        } else {
                            line += 1
                        }
                        index += 2
                        continue
                    }
                    take(inner)
                    index += 1
                    if inner == "\"" {
                        break
                    }
                }
                significantLength = command.count
                atWordStart = false
            case "#" where atWordStart:
                while index < input.count, input[index] != "\n" {
                    index += 1
                }
            case "\n":
                finishCommand()
                line += 1
                atWordStart = true
                index += 1
            case ";" where semicolons:
                finishCommand()
                atWordStart = true
                index += 1
            case _ where LineText.isSpace(scalar):
                command.append(scalar)
                atWordStart = true
                index += 1
            default:
                take(scalar)
                significantLength = command.count
                atWordStart = false
                index += 1
            }
        }
        finishCommand()
        return commands
    }

    /// Quotes `word` so that a POSIX shell reads it back as exactly one word with the same text.
    ///
    /// Used when chop shows or forwards a command it built from words. Words made only of
    /// `[A-Za-z0-9_@%+=:,./-]` are returned unchanged so common commands stay readable; anything else, including
    /// the empty word, is wrapped in single quotes with each `'` written as `'\''`.
    public static func quote(_ word: String) -> String {
        // One quoting rule for the whole program: the library's, which also builds the remote commands.
        shellQuote(word)
    }

    /// `word` with a backslash before each character `words` or `commands` would read specially (whitespace,
    /// quotes, `\`, `;`, `#`), so it reads back as one word with the same text.
    ///
    /// For Tab completion, where `quote` would not do: an escaped word still starts with what was typed (when
    /// that had nothing to escape), so the editor inserts only the rest.
    public static func escape(_ word: String) -> String {
        var escaped = String.UnicodeScalarView()
        for scalar in word.unicodeScalars {
            if LineText.isSpace(scalar) || "'\"\\;#".unicodeScalars.contains(scalar) { escaped.append("\\") }
            escaped.append(scalar)
        }
        return String(escaped)
    }
}
