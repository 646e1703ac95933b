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
