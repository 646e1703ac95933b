/// The options `OptionParser` read from one line, by name (`--mode`), for a command's `parse`.
public struct OptionValues: Sendable, Equatable {
    /// Every value given for each option, in order; a flag has one empty string per time it was given.
    public private(set) var given: [String: [String]] = [:]

    public init() {}

    /// Whether the option was given.
    public func has(_ name: String) -> Bool { given[name] != nil }

    /// The option's value (the last one for a repeatable option), or nil when it was not given.
    public func value(_ name: String) -> String? { given[name]?.last }

    /// Every value of a repeatable option, in the order given.
    public func values(_ name: String) -> [String] { given[name] ?? [] }

    mutating func add(_ name: String, _ value: String) { given[name, default: []].append(value) }

    /// These options and `other`'s together.
    func merging(_ other: OptionValues) -> OptionValues {
        var merged = self
        merged.given.merge(other.given) { $0 + $1 }
        return merged
    }
}
