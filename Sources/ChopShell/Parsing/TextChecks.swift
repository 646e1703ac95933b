/// Checks on single words: names, numbers, Python identifiers.
enum TextChecks {
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func hasSpaceOrControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
        }
    }

    /// `12`, `2.5`, `.5` or `5.`: plain decimal notation, without signs, exponents, `inf` or hex.
    static func isDecimal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.contains { !$0.isEmpty } && parts.allSatisfy { $0.utf8.allSatisfy(isDigit) }
    }

    /// `name` or `package.module.name`, each part a Python identifier.
    static func isDottedName(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy(isIdentifier)
    }

    /// An ASCII Python identifier: a letter or `_`, then letters, digits and `_`.
    static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, !isDigit(first) else { return false }
        return text.utf8.allSatisfy { byte in
            let lower = byte | 0x20
            let letter = lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
            return letter || isDigit(byte) || byte == UInt8(ascii: "_")
        }
    }
}
