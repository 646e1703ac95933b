import Foundation

/// The outcome of `ping`: the round-trip time in seconds.
public struct PingResult: OperationValue, Hashable {
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }
}
