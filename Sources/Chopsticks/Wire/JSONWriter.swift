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
        String(decoding: bytes(value), as: UTF8.self)
    }

    /// The value as UTF-8 bytes, for frames.
    ///
    /// Written into one growing byte array: appending to a `String.UnicodeScalarView` (the first version)
    /// copied the whole text on every append, so a 1,000-entry tree listing took tens of milliseconds.
    public func bytes(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        write(value, into: &out)
        return out
    }

    private func write(_ value: JSONValue, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let flag): out.append(contentsOf: (flag ? "true" : "false").utf8)
        case .int(let number): Self.writeInt(number, into: &out)
        case .bigInt(let digits): out.append(contentsOf: digits.utf8)
        case .double(let number): out.append(contentsOf: double(number).utf8)
        case .string(let text): Self.writeString(text, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                write(item, into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            let keys = members.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
            for (index, key) in keys.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                write(members[key]!, into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Decimal digits without making a String (a listing has thousands of sizes and mtimes).
    private static func writeInt(_ number: Int64, into out: inout [UInt8]) {
        if number < 0 { out.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = out.count
        repeat {
            out.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        out[start...].reverse()
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
        var out: [UInt8] = []
        writeString(text, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func writeString(_ text: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Printable ASCII without a quote or backslash (most names and keys) goes as it is.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) {
            out.append(contentsOf: text.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out.append(contentsOf: "\\\"".utf8)
            case 0x5C: out.append(contentsOf: "\\\\".utf8)
            case 0x0A: out.append(contentsOf: "\\n".utf8)
            case 0x0D: out.append(contentsOf: "\\r".utf8)
            case 0x09: out.append(contentsOf: "\\t".utf8)
            case 0x08: out.append(contentsOf: "\\b".utf8)
            case 0x0C: out.append(contentsOf: "\\f".utf8)
            case 0x00...0x1F, 0x7F...0x9F, 0x2028...0x2029, 0x202A...0x202E, 0x2066...0x2069:
                let hex = String(scalar.value, radix: 16)
                out.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default:
                UTF8.encode(scalar) { out.append($0) }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
