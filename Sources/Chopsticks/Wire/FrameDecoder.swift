import NIOCore

/// Splits the agent's stdout into frames, refusing oversized or malformed ones before buffering them.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt32.self) else {
            return .needMoreData
        }
        let size = Int(length)
        guard size >= Frame.headerSize else { throw FrameError.tooSmall(size) }
        guard size - Frame.headerSize <= Frame.maxPayload else { throw FrameError.tooLarge(size) }
        guard buffer.readableBytes >= 4 + size else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 4)
        let rawOp: UInt8 = buffer.readInteger()!
        let id: UInt32 = buffer.readInteger()!
        let payload = buffer.readSlice(length: size - Frame.headerSize)!
        guard let op = Frame.Op(rawValue: rawOp) else { throw FrameError.unknownOp(rawOp) }
        context.fireChannelRead(wrapInboundOut(Frame(op: op, id: id, payload: payload)))
        return .continue
    }

    mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}
