import Foundation

/// The outcome of evaluating one Python expression on a host (`Tunnel.eval`, `Group.filter`): its value and
/// whether Python finds it true.
public struct EvalResult: OperationValue, Hashable {
    /// The value as JSON, or nil when it was None or is not JSON-serialisable (then `repr` is set).
    public var value: JSONValue?
    /// `repr()` of a value that JSON cannot carry (a set, a custom object).
    public var repr: String?
    /// `bool(value)` on the host: Python's truth, so an empty set is false and an object with `__bool__` decides.
    public var isTrue: Bool
    public var stdout: String
    public var stderr: String

    public init(value: JSONValue?, repr: String? = nil, isTrue: Bool, stdout: String = "", stderr: String = "") {
        self.value = value
        self.repr = repr
        self.isTrue = isTrue
        self.stdout = stdout
        self.stderr = stderr
    }
}
