import Foundation

/// A value an operation can return for one host. `isFailure` lets a completed operation still count as
/// a failure (a command that exited non-zero), so `GroupResult.failures()` shows what a person would.
public protocol OperationValue: Sendable {
    var isFailure: Bool { get }
}

extension OperationValue {
    public var isFailure: Bool { false }
}

extension JSONValue: OperationValue {}
