/// Makes fuzz input for the line parsers: random lines, and valid lines (the help examples) bent out of shape.
///
/// Valid lines reach deep into each command's own parsing; the mutations are the ones a person or a paste makes,
/// and the ones that break parsers: brackets, quotes, backslashes, `@`, `%`, commas, huge numbers, NUL and other
/// control characters, long repeats.
public struct LineMutator: Sendable {
    /// The valid lines to start from.
    public let corpus: [String]

    public init(corpus: [String]) {
        precondition(!corpus.isEmpty)
        self.corpus = corpus
    }

    /// Pieces that mean something to one of the parsers, or are large enough to overflow a number.
    public static let tokens: [String] = [
        "[", "]", "'", "\"", "\\", "@", "%", ",", "-", "/", "*", "?", "#", ";", "=", " ", "\t", "\n", "\r", "\0",
        "\u{1B}", "\u{7F}", "\u{9B}", "\u{200B}", "\u{FEFF}", "é", "🙂", "\u{FFFD}", "$", "`", "!", "{", "}", "(",
        ")", ":", ".", "~", "0", "-1", "007", "99999999999999999999", "18446744073709551616", "9223372036854775807",
        "[1-99999999]", "[0-999999999999999999]", "[1-3,5]", "[1-10/0]", "[5-1]", "[]", "[,]", "%1", "%999999",
        "@%2.ok", "@all", "@failed", "web*", "\\\n", "''", "\"\"", "b'x'", "1e999", "0x", "--mode", "=", "k=v",
    ]

    /// One input line: about a fifth are random scalars, the rest mutated corpus lines.
    public func line(_ generator: inout SplitMix64) -> String {
        var scalars: [Unicode.Scalar]
        if Int.random(in: 0..<5, using: &generator) == 0 {
            scalars = (0..<Int.random(in: 0...80, using: &generator)).map { _ in Self.scalar(&generator) }
        } else {
            scalars = Array(corpus.randomElement(using: &generator)!.unicodeScalars)
            for _ in 0..<Int.random(in: 1...4, using: &generator) { mutate(&scalars, &generator) }
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// One mutation of `scalars`, chosen at random.
    public func mutate(_ scalars: inout [Unicode.Scalar], _ generator: inout SplitMix64) {
        let position = Int.random(in: 0...scalars.count, using: &generator)
        switch Int.random(in: 0..<8, using: &generator) {
        case 0, 1:
            let token = Self.tokens.randomElement(using: &generator)!
            scalars.insert(contentsOf: token.unicodeScalars, at: position)
        case 2 where !scalars.isEmpty:
            let start = Int.random(in: 0..<scalars.count, using: &generator)
            let end = min(scalars.count, start + Int.random(in: 1...8, using: &generator))
            scalars.removeSubrange(start..<end)
        case 3 where !scalars.isEmpty:
            scalars[Int.random(in: 0..<scalars.count, using: &generator)] = Self.scalar(&generator)
        case 4 where !scalars.isEmpty:
            // Duplicate a span, sometimes many times over (long inputs find quadratic behaviour).
            let start = Int.random(in: 0..<scalars.count, using: &generator)
            let end = min(scalars.count, start + Int.random(in: 1...16, using: &generator))
            let times = Int.random(in: 0..<10, using: &generator) == 0 ? 200 : Int.random(in: 1...3, using: &generator)
            let span = Array(scalars[start..<end])
            for _ in 0..<times { scalars.insert(contentsOf: span, at: position) }
        case 5:
            let other = corpus.randomElement(using: &generator)!.unicodeScalars
            scalars.insert(contentsOf: other, at: position)
        case 6 where !scalars.isEmpty:
            scalars.removeSubrange(Int.random(in: 0..<scalars.count, using: &generator)...)
        default:
            scalars.insert(Self.scalar(&generator), at: position)
        }
    }

    /// A random scalar: mostly printable ASCII, then controls, then anything in Unicode.
    public static func scalar(_ generator: inout SplitMix64) -> Unicode.Scalar {
        switch Int.random(in: 0..<10, using: &generator) {
        case 0..<6: return Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &generator))
        case 6, 7: return Unicode.Scalar(UInt8.random(in: 0...0x1F, using: &generator))
        default:
            let value = UInt32.random(in: 0x80...0x10FFFF, using: &generator)
            return Unicode.Scalar(value) ?? "\u{FFFD}"
        }
    }
}
