import NIOConcurrencyHelpers
import NIOCore

/// Writes frames (and the bootstrap bytes) to the agent's stdin without copying large payloads.
///
/// A small frame goes out as one buffer of exactly its size; a large one (a put chunk) as its 9-byte header and
/// then its payload buffer as it is, which the channel gathers into one `writev`. Not `MessageToByteHandler`: it
/// encodes every message into one buffer that it keeps for reuse, so after the 40 KB agent each connection held
/// 64 KiB for good (64 MB with 1,000 members), and every put chunk was copied once more on its way out.
final class FrameWriter: ChannelOutboundHandler, Sendable {
    typealias OutboundIn = Outgoing
    typealias OutboundOut = ByteBuffer

    /// Payloads up to this size are copied behind their header: one small buffer beats two iovecs.
    static let copyLimit = 4096

    /// Bytes written into the pipe so far (tests count what a gateway was sent).
    var bytesWritten: Int { written.withLockedValue { $0 } }
    private let written = NIOLockedValueBox(0)

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .raw(let bytes):
            written.withLockedValue { $0 += bytes.readableBytes }
            context.write(wrapOutboundOut(bytes), promise: promise)
        case .frame(let frame):
            let size = frame.payload.readableBytes
            written.withLockedValue { $0 += 4 + Frame.headerSize + size }
            let copied = size <= Self.copyLimit
            var header = context.channel.allocator.buffer(capacity: 4 + Frame.headerSize + (copied ? size : 0))
            frame.writeHeader(into: &header)
            if copied {
                header.writeImmutableBuffer(frame.payload)
                context.write(wrapOutboundOut(header), promise: promise)
            } else {
                context.write(wrapOutboundOut(header), promise: nil)
                context.write(wrapOutboundOut(frame.payload), promise: promise)
            }
        }
    }
}
