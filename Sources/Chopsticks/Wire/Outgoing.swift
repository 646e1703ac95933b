import NIOCore

/// What the controller writes to a tunnel: frames, and once, the raw agent source during bootstrap.
enum Outgoing: Sendable {
    case frame(Frame)
    case raw(ByteBuffer)
}
