import NIOCore

/// Splits the agent's stdout into frames, refusing oversized or malformed ones before buffering them.
///
/// With a marker, every byte before the marker is the host's (what a login shell's rc files printed) and is
/// handed to `sync` instead of being read as frames; past `maxNoise` bytes without it the host fails.
struct FrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = Frame

    /// Most bytes a host may print before the marker.
    static let maxNoise = 64 * 1024

    private var marker: [UInt8]?
    private var noise: [UInt8] = []
    private let sync: (@Sendable (_ noise: [UInt8], _ found: Bool) -> Void)?

    /// A decoder that reads frames from the first byte (the agent tests, a hostile peer).
    init() {
        marker = nil
        sync = nil
    }

    /// A decoder that skips everything up to and including `marker`, then reads frames. `sync` is called once
    /// with the bytes skipped: when the marker is found (`found`), or when the stream ends or the bound is
    /// passed without it.
    init(marker: [UInt8], sync: @escaping @Sendable (_ noise: [UInt8], _ found: Bool) -> Void) {
        self.marker = marker
        self.sync = sync
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if let marker {
            let view = buffer.readableBytesView
            if let start = view.firstRange(of: marker)?.lowerBound {
                noise += view[..<start]
                buffer.moveReaderIndex(to: start + marker.count)
                self.marker = nil
                sync?(noise, true)
                noise = []
                return .continue
            }
            // Keep what could be the start of a marker split across reads; the rest is the host's text.
            let keep = min(view.count, marker.count - 1)
            noise += view.dropLast(keep)
            buffer.moveReaderIndex(forwardBy: view.count - keep)
            if noise.count > Self.maxNoise {
                sync?(Array(noise.prefix(Self.maxNoise)), false)
                self.marker = nil
                throw FrameError.tooMuchLoginText(Self.maxNoise)
            }
            return .needMoreData
        }
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
        if marker != nil {
            // The stream ended before the agent started: all of it was the host's.
            noise += buffer.readableBytesView
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            marker = nil
            sync?(noise, false)
        }
        return .needMoreData
    }
}
