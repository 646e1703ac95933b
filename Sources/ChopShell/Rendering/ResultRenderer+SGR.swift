extension ResultRenderer {
    /// The only escape sequences chop writes itself: Select Graphic Rendition, always closed with a reset.
    ///
    /// Magenta rather than yellow for errors, because yellow is unreadable on light backgrounds.
    enum SGR {
        static let reset = "\u{1B}[0m"
        static let bold = "\u{1B}[1m"
        static let green = "\u{1B}[32m"
        static let yellow = "\u{1B}[33m"
        static let cyan = "\u{1B}[36m"
        static let red = "\u{1B}[31m"
        static let boldRed = "\u{1B}[1;31m"
        static let boldMagenta = "\u{1B}[1;35m"
    }
}
