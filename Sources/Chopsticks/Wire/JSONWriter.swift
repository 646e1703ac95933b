/// Writes `JSONValue`s as compact JSON text with sorted keys: the one JSON writer of chop, for the wire, for
/// `--json` output and for display.
///
/// Strings keep their non-ASCII text as UTF-8, but every control character (C0, DEL, C1), the line and
/// paragraph separators and the bidirectional controls are escaped as `\uXXXX`, so printing the text to a
/// terminal is always safe. Floats are written as Python's `repr` writes them (`2.0`, `1e+300`, `5e-324`):
/// Swift's shortest round-trip form follows the same rules.
public struct JSONWriter: Sendable {
    /// How NaN and the infinities are written; strict JSON has no spelling for them.
    public enum NonFinite: Sendable {
        /// `NaN`, `Infinity`, `-Infinity`: what Python's `json` module reads and writes (the agent's wire).
        case token
        /// The strings `"NaN"`, `"Infinity"`, `"-Infinity"`: strict JSON, for `--json` and `jq`;
        /// Python's `float()` reads them back.
        case string
        /// `nan`, `inf`, `-inf`, as Python's `repr` prints them: for people, not parsers.
        case python
    }

    public var nonFinite: NonFinite

    public init(nonFinite: NonFinite) {
        self.nonFinite = nonFinite
    }

    /// The value as text.
    public func text(_ value: JSONValue) -> String {
        var out = String.UnicodeScalarView()
        write(value, into: &out)
        return String(out)
    }

    /// The value as UTF-8 bytes, for frames.
    public func bytes(_ value: JSONValue) -> [UInt8] {
        Array(text(value).utf8)
    }

    private func write(_ value: JSONValue, into out: inout String.UnicodeScalarView) {
        switch value {
        case .null: out.append(contentsOf: "null".unicodeScalars)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").unicodeScalars)
        case .int(let number): out.append(contentsOf: String(number).unicodeScalars)
        case .bigInt(let digits): out.append(contentsOf: digits.unicodeScalars)
        case .double(let number): out.append(contentsOf: double(number).unicodeScalars)
        case .string(let text): Self.writeString(text, into: &out)
        case .array(let items):
            out.append("[")
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(",") }
                write(item, into: &out)
            }
            out.append("]")
        case .object(let members):
            out.append("{")
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(",") }
                Self.writeString(key, into: &out)
                out.append(":")
                write(members[key]!, into: &out)
            }
            out.append("}")
        }
    }

    /// A float as text: Python's repr for finite values, the chosen spelling for the others.
    public func double(_ number: Double) -> String {
        if number.isFinite { return "\(number)" }
        let python = number.isNaN ? "nan" : number < 0 ? "-inf" : "inf"
        let token = number.isNaN ? "NaN" : number < 0 ? "-Infinity" : "Infinity"
        switch nonFinite {
        case .token: return token
        case .string: return "\"\(token)\""
        case .python: return python
        }
    }

    /// A JSON string literal, safe to print to a terminal (see the type's comment).
    public static func string(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        writeString(text, into: &out)
        return String(out)
    }

    private static func writeString(_ text: String, into out: inout String.UnicodeScalarView) {
        out.append("\"")
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out.append(contentsOf: "\\\"".unicodeScalars)
            case 0x5C: out.append(contentsOf: "\\\\".unicodeScalars)
            case 0x0A: out.append(contentsOf: "\\n".unicodeScalars)
            case 0x0D: out.append(contentsOf: "\\r".unicodeScalars)
            case 0x09: out.append(contentsOf: "\\t".unicodeScalars)
            case 0x08: out.append(contentsOf: "\\b".unicodeScalars)
            case 0x0C: out.append(contentsOf: "\\f".unicodeScalars)
            case 0x00...0x1F, 0x7F...0x9F, 0x2028...0x2029, 0x202A...0x202E, 0x2066...0x2069:
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            default:
                out.append(scalar)
            }
        }
        out.append("\"")
    }
}
