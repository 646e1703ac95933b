import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOTestUtils
import XCTest

@testable import Chopsticks

/// The frame decoder, checked by NIO's own verifier: every input fed whole, byte by byte and in random pieces
/// gives the same frames; and every malformed header is refused before its payload is buffered.
final class FrameDecoderTests: XCTestCase {
    private func bytes(_ op: UInt8, _ id: UInt32, _ payload: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(5 + payload.count))
        buffer.writeInteger(op)
        buffer.writeInteger(id)
        buffer.writeBytes(payload)
        return buffer
    }

    func testFramesDecodeTheSameHoweverTheBytesArrive() throws {
        let hello = Array(#"{"agent":1}"#.utf8)
        var two = bytes(2, 7, Array("42".utf8))
        var second = bytes(4, 7, [0, 255, 10, 13])
        two.writeBuffer(&second)
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [
                (bytes(7, 0, hello), [Frame(op: .hello, id: 0, payload: ByteBuffer(bytes: hello))]),
                (bytes(2, 1, []), [Frame(op: .ok, id: 1, payload: ByteBuffer())]),
                (
                    two,
                    [
                        Frame(op: .ok, id: 7, payload: ByteBuffer(bytes: Array("42".utf8))),
                        Frame(op: .data, id: 7, payload: ByteBuffer(bytes: [0, 255, 10, 13])),
                    ]
                ),
            ],
            decoderFactory: { FrameDecoder() })
    }

    /// Whatever came before the marker (text with "chop", the marker's own start, frame-like bytes, no newline)
    /// is skipped and handed over once, however the bytes arrive; frames follow the marker.
    func testBytesBeforeTheMarkerAreSkippedHoweverTheyArrive() throws {
        let marker = Array("chop-agent-00ff\n".utf8)
        let noise = Array("Welcome chop chop-agent-00f \0\0\0\u{10}{\"agent\": 1} no newline".utf8)
        var input = ByteBuffer(bytes: noise + marker)
        var frame = bytes(7, 0, Array("{}".utf8))
        input.writeBuffer(&frame)
        let all = Array(input.readableBytesView)
        var generator = SystemRandomNumberGenerator()
        // Whole, byte by byte, and in random pieces (the marker split anywhere), each on a fresh decoder.
        for split in [all.count, 1, 0] {
            let seen = NIOLockedValueBox<[[UInt8]]>([])
            let decoder = FrameDecoder(marker: marker) { skipped, found in
                XCTAssertTrue(found)
                seen.withLockedValue { $0.append(skipped) }
            }
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(decoder))
            var offset = 0
            while offset < all.count {
                let size = split > 0 ? split : Int.random(in: 1...7, using: &generator)
                let end = min(all.count, offset + size)
                try channel.writeInbound(ByteBuffer(bytes: all[offset..<end]))
                offset = end
            }
            let frame = try channel.readInbound(as: Frame.self)
            XCTAssertEqual(frame, Frame(op: .hello, id: 0, payload: ByteBuffer(bytes: Array("{}".utf8))))
            XCTAssertEqual(seen.withLockedValue { $0 }, [noise])
            _ = try? channel.finish()
        }
    }

    /// Past the bound without the marker, the host fails, and the start of what it printed is handed over.
    func testTooMuchBeforeTheMarkerFails() throws {
        let seen = NIOLockedValueBox<[UInt8]>([])
        let decoder = FrameDecoder(marker: Array("chop-agent-1\n".utf8)) { skipped, found in
            XCTAssertFalse(found)
            seen.withLockedValue { $0 = skipped }
        }
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(decoder))
        let line = ByteBuffer(bytes: Array(repeating: UInt8(ascii: "x"), count: 4095) + [0x0A])
        var failure: (any Error)?
        for _ in 0..<17 where failure == nil {
            do { try channel.writeInbound(line) } catch { failure = error }
        }
        XCTAssertEqual(failure as? FrameError, .tooMuchLoginText(FrameDecoder.maxNoise))
        XCTAssertEqual(seen.withLockedValue { $0.count }, FrameDecoder.maxNoise)
        _ = try? channel.finish()
    }

    func testMalformedHeadersAreRefusedBeforeThePayloadArrives() throws {
        let cases: [(ByteBuffer, FrameError)] = [
            (ByteBuffer(bytes: [0, 0, 0, 4, 2]), .tooSmall(4)),
            (ByteBuffer(bytes: [0x7F, 0xFF, 0xFF, 0xFF, 2]), .tooLarge(0x7FFF_FFFF)),
            (ByteBuffer(bytes: [0x01, 0x00, 0x00, 0x06]), .tooLarge(0x0100_0006)),
            (bytes(0x7F, 1, []), .unknownOp(0x7F)),
        ]
        for (input, expected) in cases {
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
            XCTAssertThrowsError(try channel.writeInbound(input)) { error in
                XCTAssertEqual(error as? FrameError, expected)
            }
            _ = try? channel.finish()
        }
    }

    func testRandomAndTruncatedInputNeverCrashes() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let count = Int.random(in: 0..<64, using: &generator)
            let input = ByteBuffer(bytes: (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
            // Either frames, a need for more bytes, or a FrameError: nothing else.
            do {
                try channel.writeInbound(input)
            } catch {
                XCTAssertNotNil(error as? FrameError, "\(error)")
            }
            _ = try? channel.finish()
        }
    }
}
