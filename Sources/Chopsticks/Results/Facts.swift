import Foundation

/// The outcome of `facts`: each fact's JSON value (null when that fact failed on the host).
public struct Facts: OperationValue, Hashable {
    public var values: [String: JSONValue]
    /// Facts that raised on the host, with the reason.
    public var errors: [String: String]

    public init(values: [String: JSONValue], errors: [String: String] = [:]) {
        self.values = values
        self.errors = errors
    }

    public subscript(name: String) -> JSONValue? { values[name] }
}
