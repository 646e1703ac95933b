/// Splits a host's text into what is the same across a fleet and what varies from host to host.
///
/// A *volatile token* is a word that contains a digit: numbers with their units (`12K`, `0.05,` without the
/// comma), versions (`3.11.2`), IPv4 and IPv6 addresses, timestamps (`2026-11-30T05:14:37`), hex ids, UUIDs,
/// device names (`sda1`). A word without digits (`active`, `failed`, `nginx`) is static, so answers that differ
/// in words never look alike. The host's own name, where it appears in its output, is volatile too. Words are
/// runs of letters, digits and `.:-_/+%@`; everything else (spaces, commas, brackets) is static text. One pass
/// over the text: linear in its size, and deterministic.
public enum VolatileText {
    /// A text with its volatile tokens taken out: `mask` has `\u{1}` where each token stood, `values` holds them
    /// in order. Two texts with equal masks differ only in volatile tokens.
    public struct Split: Equatable, Sendable {
        public var mask: String
        public var values: [String]
    }

    /// The placeholder in a mask: a control character, rare in host text; where a host prints it, it is a value.
    public static let marker: Character = "\u{1}"

    public static func split(_ text: String, host: String) -> Split {
        var mask = ""
        var values: [String] = []
        mask.reserveCapacity(text.utf8.count)
        var word = ""
        var hasDigit = false
        func flush() {
            guard !word.isEmpty else { return }
            if hasDigit || names(word, host) {
                mask.append(marker)
                values.append(word)
            } else {
                mask += word
            }
            word = ""
            hasDigit = false
        }
        for character in text {
            if isWordCharacter(character) {
                word.append(character)
                if character.isASCII, character.isNumber { hasDigit = true }
            } else if character == marker {
                // The host printed the placeholder itself (binary output): it stands for itself as a value, so
                // every marker in the mask has one and the block view never runs past `values`.
                flush()
                mask.append(marker)
                values.append(String(marker))
            } else {
                flush()
                mask.append(character)
            }
        }
        flush()
        return Split(mask: mask, values: values)
    }

    /// Whether `word` is the host's name or has it as a part set off by punctuation (`web07.example.com`,
    /// `root@web07`): a host named `a` does not make `same` volatile.
    static func names(_ word: String, _ host: String) -> Bool {
        guard !host.isEmpty, word.count >= host.count else { return false }
        var search = word.startIndex
        while let found = word.range(of: host, range: search..<word.endIndex) {
            let before = found.lowerBound == word.startIndex ? nil : word[word.index(before: found.lowerBound)]
            let after = found.upperBound == word.endIndex ? nil : word[found.upperBound]
            let isolated = { (character: Character?) in character.map { !($0.isLetter || $0.isNumber) } ?? true }
            if isolated(before), isolated(after) { return true }
            search = word.index(after: found.lowerBound)
        }
        return false
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        if character.isLetter || character.isNumber { return true }
        switch character {
        case ".", ":", "-", "_", "/", "+", "%", "@": return true
        default: return false
        }
    }
}
