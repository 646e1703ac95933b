/// Small text helpers of the parser: trimming, the first word, raw remainders and comments, as
/// `CommandLineSplitter` reads them (the same separators).
enum LineText {
    /// Unquoted characters that separate words, for the parser and `CommandLineSplitter` alike; `\r` is one so
    /// scripts with CRLF line ends work.
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
    }

    /// The text without separating whitespace at its start (scalar-wise, so `\r\n` counts as two).
    static func leadingTrimmed(_ text: Substring) -> Substring {
        var scalars = text.unicodeScalars
        while let first = scalars.first, isSpace(first) {
            scalars.removeFirst()
        }
        return Substring(scalars)
    }

    /// The text without separating whitespace at either end.
    static func trimmed(_ text: Substring) -> Substring {
        var scalars = leadingTrimmed(text).unicodeScalars
        while let last = scalars.last, isSpace(last) {
            scalars.removeLast()
        }
        return Substring(scalars)
    }

    /// The first run of non-space characters, and what follows the whitespace after it.
    static func firstWord(of text: Substring) -> (word: String, rest: Substring) {
        let scalars = text.unicodeScalars
        let end = scalars.firstIndex(where: isSpace) ?? scalars.endIndex
        var restStart = end
        while restStart < scalars.endIndex, isSpace(scalars[restStart]) {
            restStart = scalars.index(after: restStart)
        }
        return (String(scalars[..<end]), Substring(scalars[restStart...]))
    }

    /// A raw remainder (`run`, `py`, `!`): trimmed, but otherwise exactly as typed. A trailing space or tab that
    /// a backslash escapes is part of the command (`echo a\ `), so it is kept.
    static func rawText(_ text: Substring) -> String {
        var scalars = text.unicodeScalars
        while let first = scalars.first, isSpace(first) {
            scalars.removeFirst()
        }
        var firstTrailing: Unicode.Scalar?
        while let last = scalars.last, isSpace(last) {
            firstTrailing = scalars.removeLast()
        }
        if let firstTrailing, firstTrailing == " " || firstTrailing == "\t" {
            let backslashes = scalars.reversed().prefix { $0 == "\\" }.count
            if backslashes % 2 == 1 {
                scalars.append(firstTrailing)
            }
        }
        return String(scalars)
    }

    /// The text before an unquoted `#` that starts a word, as in a POSIX shell: `use web1  # the canary`.
    static func withoutComment(_ text: Substring) -> Substring {
        let scalars = text.unicodeScalars
        return Substring(scalars[..<firstUnquoted(in: scalars) { $0 == "#" && $1 }])
    }

    /// The index of the first scalar outside quotes and not escaped for which `stop(scalar, atWordStart)` holds,
    /// or the end: the one walk over shell quoting that finding a comment and finding a word's end share.
    private static func firstUnquoted(
        in scalars: Substring.UnicodeScalarView, where stop: (Unicode.Scalar, Bool) -> Bool
    ) -> Substring.UnicodeScalarView.Index {
        var index = scalars.startIndex
        var quote: Unicode.Scalar?
        var atWordStart = true
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == open {
                    quote = nil
                } else if open == "\"", scalar == "\\", scalars.index(after: index) < scalars.endIndex {
                    index = scalars.index(after: index)
                }
            } else if stop(scalar, atWordStart) {
                return index
            } else if scalar == "\\" {
                atWordStart = false
                if scalars.index(after: index) < scalars.endIndex {
                    index = scalars.index(after: index)
                }
            } else if scalar == "'" || scalar == "\"" {
                quote = scalar
                atWordStart = false
            } else {
                atWordStart = isSpace(scalar)
            }
            index = scalars.index(after: index)
        }
        return index
    }

    static func words(_ text: Substring) throws(ParseError) -> [String] {
        do {
            return try CommandLineSplitter.words(String(text))
        } catch {
            switch error.kind {
            case .unterminatedSingleQuote: throw ParseError("\(error.message): add the closing '", kind: .quoting)
            case .unterminatedDoubleQuote: throw ParseError("\(error.message): add the closing \"", kind: .quoting)
            case .trailingBackslash:
                throw ParseError("\(error.message): remove it, or write \\\\ for a backslash", kind: .quoting)
            }
        }
    }

    /// The first word as a POSIX shell reads it (quotes and backslashes joined into one word, unquoted), and the
    /// text after the whitespace that ends it: an option's value before a verbatim remainder (`run --input`).
    static func firstQuotedWord(of text: Substring) throws(ParseError) -> (word: String, rest: Substring) {
        let scalars = leadingTrimmed(text).unicodeScalars
        let index = firstUnquoted(in: scalars) { scalar, _ in isSpace(scalar) }
        let word = try words(Substring(scalars[..<index])).first ?? ""
        return (word, leadingTrimmed(Substring(scalars[index...])))
    }
}
