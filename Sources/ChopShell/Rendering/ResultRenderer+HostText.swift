extension ResultRenderer {
    /// Splitting a host's text into safe display lines.
    ///
    /// Lines are split at "\n" first and sanitized afterwards, so a newline ends a line instead of becoming `^J`; the
    /// "\r" of a "\r\n" pair is dropped because it is line-ending noise, while any other "\r" stays visible as `^M`
    /// (it could otherwise be used to overwrite the start of the line).
    enum HostText {
        /// All lines of `text`, sanitized. A final newline does not produce an empty last line; "" has no lines.
        static func lines(_ text: String) -> [String] {
            // The same split as the diff's, so `show` and `diff` agree on what a line is.
            UnifiedDiff.split(text).map { clean($0.text.unicodeScalars[...], terminated: $0.terminated) }
        }

        /// The number of lines `lines(text)` would return, without building them (outputs can be a megabyte).
        static func lineCount(_ text: String) -> Int {
            guard let last = text.utf8.last else { return 0 }
            let newlines = text.utf8.count { $0 == UInt8(ascii: "\n") }
            return last == UInt8(ascii: "\n") ? newlines : newlines + 1
        }

        /// The first element of `lines(text)`, or "" when there is none.
        static func firstLine(_ text: String) -> String {
            let scalars = text.unicodeScalars
            guard let newline = scalars.firstIndex(of: "\n") else { return clean(scalars[...], terminated: false) }
            return clean(scalars[..<newline], terminated: true)
        }

        /// A reason or command as one safe line: trailing line breaks dropped, inner ones shown as `^J`.
        static func oneLine(_ text: String) -> String {
            var scalars = text.unicodeScalars[...]
            while let last = scalars.last, last == "\n" || last == "\r" {
                scalars.removeLast()
            }
            return TerminalText.sanitize(String(Substring(scalars)))
        }

        private static func clean(_ piece: Substring.UnicodeScalarView, terminated: Bool) -> String {
            var piece = piece
            if terminated, piece.last == "\r" {
                piece.removeLast()
            }
            return TerminalText.sanitize(String(Substring(piece)))
        }
    }
}
