import Foundation
import NIOConcurrencyHelpers

/// A piece of a command's output as it is printed, for `Tunnel.run(onOutput:)`: which stream, and the bytes
/// (not split at lines: a line may come in several pieces).
public struct RunOutput: Sendable, Equatable {
    public enum Stream: UInt8, Sendable {
        case stdout = 1
        case stderr = 2
    }

    public var stream: Stream
    public var bytes: Data

    public init(stream: Stream, bytes: Data) {
        self.stream = stream
        self.bytes = bytes
    }
}
