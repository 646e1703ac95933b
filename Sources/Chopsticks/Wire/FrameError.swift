import NIOCore

/// Why a stream of bytes from a host is not a valid frame stream.
public enum FrameError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLarge(Int)
    case tooSmall(Int)
    case unknownOp(UInt8)
    /// More than this many bytes came before the agent's marker (see `FrameDecoder`).
    case tooMuchLoginText(Int)

    public var description: String {
        switch self {
        case .tooLarge(let size):
            return "protocol error: frame of \(size) bytes exceeds the \(Frame.maxPayload >> 20) MiB limit"
        case .tooSmall(let size):
            return "protocol error: frame length \(size) is too small"
        case .unknownOp(let op):
            return "protocol error: unknown frame op 0x\(String(op, radix: 16))"
        case .tooMuchLoginText(let limit):
            return "the host printed more than \(limit >> 10) KiB before the agent started"
        }
    }
}
