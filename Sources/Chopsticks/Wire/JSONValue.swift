import Foundation

/// A JSON document of any shape: what remote functions return and what facts are made of.
///
/// Results cross the tunnel as JSON only — never pickle — so a hostile host can send data, never code. Values
/// keep exactly what Python sent: an integer too large for 64 bits stays exact (`bigInt`, its decimal digits),
/// a float stays a float even when it is whole (`2.0`), and Python's non-finite floats (`NaN`, `Infinity`,
/// `-Infinity`, which Python's `json` writes) are read as doubles. `JSONParser` and `JSONWriter` do the text.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// An integer that fits in 64 bits.
    case int(Int64)
    /// An integer that does not fit in 64 bits, as its exact decimal digits with an optional leading `-`
    /// (`"1180591620717411303424"`). Use `JSONValue.integer(_:)` to get the right case for any digit string.
    case bigInt(String)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// An integer from its decimal digits (optional `-`): `.int` when it fits in 64 bits, else `.bigInt`.
    /// Returns nil for text that is not an integer.
    public static func integer(_ digits: some StringProtocol) -> JSONValue? {
        var body = Substring(digits)
        let negative = body.hasPrefix("-")
        if negative { body = body.dropFirst() }
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        if let value = Int64(digits) { return .int(value) }
        let trimmed = body.drop { $0 == "0" }
        return .bigInt((negative ? "-" : "") + trimmed)
    }

    /// Parses JSON bytes (see `JSONParser`).
    public static func parse(_ bytes: some Collection<UInt8>) throws(JSONParser.Error) -> JSONValue {
        try JSONParser.parse(bytes)
    }

    /// Compact, strict JSON with sorted keys: stable, so identical results from many hosts compare equal.
    /// Non-finite floats are written as the strings `"NaN"`, `"Infinity"` and `"-Infinity"`.
    public var jsonText: String { JSONWriter(nonFinite: .string).text(self) }

    /// The value as a person reads it: JSON, except that non-finite floats read as Python prints them
    /// (`nan`, `inf`, `-inf`). Floats always show a fraction or exponent (`2.0`), integers never do.
    public var displayText: String { JSONWriter(nonFinite: .python).text(self) }

    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value as a 64-bit integer: an `int`, or a whole `double` in range.
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value == value.rounded() && abs(value) < 9.2e18: return Int64(value)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .bigInt(let digits): return Double(digits)
        case .double(let value): return value
        default: return nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension JSONValue: CustomStringConvertible {
    public var description: String { jsonText }
}
