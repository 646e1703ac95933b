import NIOCore

/// Writes frames (and the bootstrap bytes) to the agent's stdin.
struct FrameEncoder: MessageToByteEncoder {
    typealias OutboundIn = Outgoing

    func encode(data: Outgoing, out: inout ByteBuffer) throws {
        switch data {
        case .raw(let bytes):
            out.writeImmutableBuffer(bytes)
        case .frame(let frame):
            out.writeInteger(UInt32(Frame.headerSize + frame.payload.readableBytes))
            out.writeInteger(frame.op.rawValue)
            out.writeInteger(frame.id)
            out.writeImmutableBuffer(frame.payload)
        }
    }
}
