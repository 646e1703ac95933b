import NIOCore
import NIOEmbedded
import TestSupport
import XCTest

@testable import Chopsticks

/// Seeded fuzzing of the frame decoder, the first code that reads bytes from a host: valid streams cut short,
/// bent, given oversized or undersized lengths, or replaced by noise, arriving in random pieces. It decodes the
/// frames that are whole, waits for more, or throws a `FrameError` with a one-line message; it never crashes.
/// A failure prints its seed: `CHOP_FUZZ_SEED=<seed>` replays that case.
final class FrameDecoderFuzzTests: XCTestCase {
    private struct Stream {
        var bytes: [UInt8] = []
        var frames: [Frame] = []
        /// Where each frame ends in `bytes`.
        var ends: [Int] = []
    }

    private func validStream(_ generator: inout SplitMix64) -> Stream {
        var stream = Stream()
        for _ in 0..<Int.random(in: 0...6, using: &generator) {
            let op = [Frame.Op.ok, .error, .data, .hello, .request, .end, .cancel].randomElement(using: &generator)!
            let id = UInt32.random(in: 0...UInt32.max, using: &generator)
            let size =
                Int.random(in: 0..<20, using: &generator) == 0
                ? Int.random(in: 0...70_000, using: &generator)
                : Int.random(in: 0...40, using: &generator)
            // Eight random bytes at a time: byte by byte, a debug build spends the run making payloads.
            let payload = (0..<(size + 7) / 8).flatMap { _ in
                withUnsafeBytes(of: generator.next()) { Array($0) }
            }.prefix(size)
            var header = ByteBuffer()
            header.writeInteger(UInt32(5 + size))
            header.writeInteger(op.rawValue)
            header.writeInteger(id)
            stream.bytes += header.readableBytesView + payload
            stream.frames.append(Frame(op: op, id: id, payload: ByteBuffer(bytes: Array(payload))))
            stream.ends.append(stream.bytes.count)
        }
        return stream
    }

    /// Feeds `bytes` in random pieces; returns the frames decoded and the error thrown, if any.
    private func decode(_ bytes: [UInt8], _ generator: inout SplitMix64) -> (frames: [Frame], error: (any Error)?) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(FrameDecoder()))
        defer { _ = try? channel.finish() }
        var frames: [Frame] = []
        var offset = 0
        do {
            while offset < bytes.count {
                let piece = min(bytes.count - offset, Int.random(in: 1...4096, using: &generator))
                try channel.writeInbound(ByteBuffer(bytes: bytes[offset..<offset + piece]))
                offset += piece
                while let frame: Frame = try channel.readInbound() { frames.append(frame) }
            }
        } catch {
            return (frames, error)
        }
        return (frames, nil)
    }

    private func oneLine(_ error: any Error) -> String? {
        guard let frameError = error as? FrameError else { return "not a FrameError: \(error)" }
        let text = frameError.description
        return text.isEmpty || text.contains(where: \.isNewline) ? "message \(text.debugDescription)" : nil
    }

    func testTruncatedStreamsDecodeTheirWholeFramesAndWait() {
        Fuzz.run("frames cut short", base: 0xF4A3_0001, cases: 8_000) { generator in
            let stream = validStream(&generator)
            let cut = Int.random(in: 0...stream.bytes.count, using: &generator)
            let (frames, error) = decode(Array(stream.bytes[..<cut]), &generator)
            if let error { return "valid bytes refused: \(error)" }
            let whole = stream.ends.filter { $0 <= cut }.count
            return frames == Array(stream.frames.prefix(whole)) ? nil : "\(frames.count) frames, expected \(whole)"
        }
    }

    func testBentAndRandomStreamsDecodeOrThrowAFrameError() {
        Fuzz.run("bent frames", base: 0xF4A3_0002, cases: 8_000) { generator in
            var bytes: [UInt8]
            switch Int.random(in: 0..<4, using: &generator) {
            case 0:
                bytes = (0..<Int.random(in: 0...300, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            default:
                bytes = validStream(&generator).bytes
                for _ in 0..<Int.random(in: 1...3, using: &generator) where !bytes.isEmpty {
                    let at = Int.random(in: 0..<bytes.count, using: &generator)
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0: bytes[at] = UInt8.random(in: 0...255, using: &generator)
                    case 1: bytes.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFF], at: at)  // a huge length
                    case 2: bytes.insert(contentsOf: [0, 0, 0, UInt8.random(in: 0...4, using: &generator)], at: at)
                    default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...9, using: &generator)))
                    }
                }
            }
            return decode(bytes, &generator).error.flatMap(oneLine)
        }
    }

    /// A length over the limit is refused as soon as the header is in, before any of its payload is buffered.
    func testOversizedLengthsAreRefusedFromTheHeaderAlone() {
        Fuzz.run("oversized frames", base: 0xF4A3_0003, cases: 5_000) { generator in
            let length = UInt32.random(in: UInt32(5 + Frame.maxPayload + 1)...UInt32.max, using: &generator)
            var header = ByteBuffer()
            header.writeInteger(length)
            header.writeInteger(UInt8.random(in: 1...7, using: &generator))
            header.writeInteger(UInt32.random(in: 0...UInt32.max, using: &generator))
            let (frames, error) = decode(Array(header.readableBytesView), &generator)
            guard let error, frames.isEmpty else { return "length \(length) accepted" }
            return (error as? FrameError) == .tooLarge(Int(length)) ? nil : "\(error) for length \(length)"
        }
    }
}
