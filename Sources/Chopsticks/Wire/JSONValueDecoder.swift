/// Decodes `Decodable` types from a `JSONValue`, so every agent reply becomes a typed struct (`Replies.swift`).
///
/// Foundation's `JSONDecoder` would read the bytes again and lose integer precision; this reads the exact
/// `JSONValue` the parser made. A missing or mistyped field is a `DecodingError` naming the field's path,
/// never a silent default. A field typed `JSONValue` receives the value as it is.
public struct JSONValueDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws -> T {
        try T(from: Node(value: value, codingPath: []))
    }

    /// One position in the value being decoded.
    struct Node: Decoder {
        let value: JSONValue
        let codingPath: [any CodingKey]
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
            guard case .object(let members) = value else { throw mismatch([String: JSONValue].self) }
            return KeyedDecodingContainer(Keyed<Key>(members: members, codingPath: codingPath))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
            guard case .array(let items) = value else { throw mismatch([JSONValue].self) }
            return Unkeyed(items: items, codingPath: codingPath)
        }

        func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

        func mismatch(_ type: Any.Type) -> DecodingError {
            DecodingError.typeMismatch(
                type, .init(codingPath: codingPath, debugDescription: "expected \(type), found \(value.kind)"))
        }
    }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let members: [String: JSONValue]
        let codingPath: [any CodingKey]
        var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

        func contains(_ key: Key) -> Bool { members[key.stringValue] != nil }

        func decodeNil(forKey key: Key) throws -> Bool { (members[key.stringValue] ?? .null) == .null }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            guard let value = members[key.stringValue] else {
                throw DecodingError.keyNotFound(
                    key, .init(codingPath: codingPath, debugDescription: "no field '\(key.stringValue)'"))
            }
            return try T(from: Node(value: value, codingPath: codingPath + [key]))
        }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        {
            try Node(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key]).container(keyedBy: type)
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            try Node(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key]).unkeyedContainer()
        }

        func superDecoder() throws -> any Decoder { Node(value: .object(members), codingPath: codingPath) }

        func superDecoder(forKey key: Key) throws -> any Decoder {
            Node(value: members[key.stringValue] ?? .null, codingPath: codingPath + [key])
        }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [JSONValue]
        let codingPath: [any CodingKey]
        var currentIndex = 0
        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        private struct Index: CodingKey {
            var stringValue: String { "\(intValue ?? 0)" }
            var intValue: Int?
            init(_ index: Int) { intValue = index }
            init?(stringValue: String) { nil }
            init?(intValue: Int) { self.intValue = intValue }
        }

        private mutating func next() throws -> Node {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    JSONValue.self, .init(codingPath: codingPath, debugDescription: "the list ended"))
            }
            defer { currentIndex += 1 }
            return Node(value: items[currentIndex], codingPath: codingPath + [Index(currentIndex)])
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, items[currentIndex] == .null else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: try next()) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
            -> KeyedDecodingContainer<NestedKey>
        { try next().container(keyedBy: type) }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
            try next().unkeyedContainer()
        }

        mutating func superDecoder() throws -> any Decoder { try next() }
    }
}

extension JSONValueDecoder.Node: SingleValueDecodingContainer {
    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(type) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = value else { throw mismatch(type) }
        return text
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard let number = value.doubleValue else { throw mismatch(type) }
        return number
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode(_ type: Int.Type) throws -> Int { Int(try integer(type)) }
    func decode(_ type: Int8.Type) throws -> Int8 { try narrow(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try narrow(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try narrow(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try narrow(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try narrow(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try narrow(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try narrow(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try narrow(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }

    /// Integers only: `2.5` for an integer field is a mismatch, not a rounding.
    private func integer(_ type: Any.Type) throws -> Int64 {
        guard case .int(let number) = value else { throw mismatch(type) }
        return number
    }

    private func narrow<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let number = T(exactly: try integer(type)) else { throw mismatch(type) }
        return number
    }
}

extension JSONValue: Decodable {
    /// The value itself, exactly, inside `JSONValueDecoder`. Another decoder would already have rounded big
    /// integers and whole floats, so it is refused rather than trusted.
    public init(from decoder: any Decoder) throws {
        guard let node = decoder as? JSONValueDecoder.Node else {
            throw DecodingError.typeMismatch(
                JSONValue.self,
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription:
                        "decode JSONValue with JSONValueDecoder (or JSONValue.parse), which keeps it exact"))
        }
        self = node.value
    }

    /// The kind of value, for error messages: "a string", "null".
    public var kind: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .bigInt: "an integer"
        case .double: "a float"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}
