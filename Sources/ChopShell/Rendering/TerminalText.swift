/// Making text from remote hosts safe to print, and measuring it in terminal columns.
///
/// Output from a fleet is untrusted: a compromised or merely confused host can emit escape sequences that move
/// the cursor, rewrite earlier lines, change the window title or reverse text direction, which would let it forge
/// the output of other hosts. chop therefore shows every control character visibly instead of passing it on, and
/// lays out columns by display width rather than by character count so CJK text and emoji line up.
public enum TerminalText {
    /// Replaces every character that a terminal would interpret rather than display with a visible stand-in.
    ///
    /// - ESC becomes `^[`, other C0 controls use caret notation (`^A`, `^J` for a newline, `^M` for a carriage
    ///   return) and DEL becomes `^?`; callers split lines before sanitizing, so a newline here is data.
    /// - A tab becomes a single space, so that column arithmetic stays simple.
    /// - C1 controls (U+0080–U+009F, e.g. the single-byte CSI U+009B) and the bidirectional embedding, override
    ///   and isolate controls (U+202A–U+202E, U+2066–U+2069) become `<U+XXXX>`.
    /// - Everything else, including U+FFFD from invalid UTF-8, is kept.
    public static func sanitize(_ s: String) -> String {
        var result = String.UnicodeScalarView()
        var changed = false
        for scalar in s.unicodeScalars {
            let value = scalar.value
            switch value {
            case 0x09:
                result.append(" ")
                changed = true
            case 0x00...0x1F:
                result.append("^")
                result.append(Unicode.Scalar(UInt8(value + 0x40)))
                changed = true
            case 0x7F:
                result.append(contentsOf: "^?".unicodeScalars)
                changed = true
            case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069:
                result.append(contentsOf: codePointLabel(value).unicodeScalars)
                changed = true
            default:
                result.append(scalar)
            }
        }
        return changed ? String(result) : s
    }

    /// The number of terminal columns `s` occupies, summed per Unicode scalar.
    ///
    /// Combining and enclosing marks, format characters (including the zero-width joiner and variation
    /// selectors) and control characters count 0; East Asian Wide and Fullwidth characters (CJK, Hangul, kana,
    /// fullwidth forms) and most emoji count 2; everything else counts 1. Emoji sequences joined by U+200D are
    /// overcounted, as in most terminals' own wcwidth-based layout.
    public static func displayWidth(_ s: String) -> Int {
        s.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    /// Shortens `s` to at most `toWidth` columns, ending with "…" when anything was cut so the reader knows.
    ///
    /// Cuts only between grapheme clusters, so a base letter is never separated from its combining marks. A wide
    /// character that does not fit entirely is dropped, so the result may be one column narrower than asked.
    public static func truncate(_ s: String, toWidth: Int) -> String {
        guard toWidth > 0 else { return "" }
        guard displayWidth(s) > toWidth else { return s }
        let budget = toWidth - 1
        var result = ""
        var used = 0
        for character in s {
            let characterWidth = displayWidth(String(character))
            if used + characterWidth > budget {
                break
            }
            result.append(character)
            used += characterWidth
        }
        return result + "…"
    }

    // MARK: - Helpers

    private static func codePointLabel(_ value: UInt32) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "<U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex + ">"
    }

    private static func width(of scalar: Unicode.Scalar) -> Int {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control:
            return 0
        default:
            break
        }
        return isWide(scalar.value) ? 2 : 1
    }

    /// East Asian Wide/Fullwidth ranges plus emoji with default emoji presentation, after Markus Kuhn's wcwidth and
    /// Unicode 15 EastAsianWidth.txt, coarsened to ranges that are stable across terminal implementations.
    private static func isWide(_ value: UInt32) -> Bool {
        if value < 0x1100 {
            return false
        }
        switch value {
        case 0x1100...0x115F,  // Hangul Jamo initial consonants
            0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0, 0x23F3,  // watch, hourglass, angle brackets
            0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F, 0x2693, 0x26A1,
            0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE, 0x26D4, 0x26EA,
            0x26F2...0x26F3, 0x26F5, 0x26FA, 0x26FD, 0x2705, 0x270A...0x270B, 0x2728, 0x274C,
            0x274E, 0x2753...0x2755, 0x2757, 0x2795...0x2797, 0x27B0, 0x27BF, 0x2B1B...0x2B1C,
            0x2B50, 0x2B55,  // BMP emoji with default emoji presentation
            0x2E80...0x303E,  // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
            0x3041...0x33FF,  // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK compatibility
            0x3400...0x4DBF,  // CJK Unified Ideographs Extension A
            0x4E00...0x9FFF,  // CJK Unified Ideographs
            0xA000...0xA4CF,  // Yi
            0xA960...0xA97F,  // Hangul Jamo Extended-A
            0xAC00...0xD7A3,  // Hangul syllables
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFE10...0xFE19,  // vertical forms
            0xFE30...0xFE6F,  // CJK compatibility forms, small form variants
            0xFF00...0xFF60,  // fullwidth forms
            0xFFE0...0xFFE6,  // fullwidth signs
            0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF,  // Tangut, Khitan, kana supplements
            0x1F004, 0x1F0CF, 0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F202, 0x1F210...0x1F23B,
            0x1F240...0x1F248, 0x1F250...0x1F251, 0x1F260...0x1F265,  // enclosed ideographic supplement
            0x1F300...0x1F64F,  // misc symbols and pictographs, emoticons
            0x1F680...0x1F6FF,  // transport and map symbols
            0x1F7E0...0x1F7EB,  // coloured circles and squares
            0x1F900...0x1F9FF,  // supplemental symbols and pictographs
            0x1FA70...0x1FAFF,  // symbols and pictographs extended-A
            0x20000...0x2FFFD,  // CJK Unified Ideographs Extensions B–F, compatibility supplement
            0x30000...0x3FFFD:  // CJK Unified Ideographs Extensions G+
            return true
        default:
            return false
        }
    }
}
