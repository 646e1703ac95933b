import Foundation

/// The outcome of `exec`: the value of a final expression, and what the code printed.
public struct ExecResult: OperationValue, Hashable {
    /// The final expression's value as JSON, or nil when there was none (or it was None).
    public var value: JSONValue?
    /// `repr()` of a final value that is not JSON-serialisable.
    public var repr: String?
    public var stdout: String
    public var stderr: String

    public init(value: JSONValue?, repr: String? = nil, stdout: String = "", stderr: String = "") {
        self.value = value
        self.repr = repr
        self.stdout = stdout
        self.stderr = stderr
    }
}
