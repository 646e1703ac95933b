import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// `output lines` as the hosts print: each complete line at once, `host: line` for stdout and `host:err: line`
/// for stderr (pdsh's form, and the same as the `lines` view), made safe for the terminal. A piece that ends
/// inside a line waits for the rest; `finish` prints what is left when the host is done.
final class LiveLines: Sendable {
    private let print: @Sendable (String) -> Void
    private let partial = NIOLockedValueBox([String: Data]())

    init(print: @escaping @Sendable (String) -> Void) {
        self.print = print
    }

    func receive(_ host: String, _ piece: RunOutput) {
        let key = Self.key(host, piece.stream)
        let lines = partial.withLockedValue { buffers -> [Data] in
            var buffer = buffers[key, default: Data()]
            buffer.append(piece.bytes)
            var complete: [Data] = []
            while let newline = buffer.firstIndex(of: 0x0A) {
                complete.append(buffer[buffer.startIndex..<newline])
                buffer = buffer[buffer.index(after: newline)...]
            }
            buffers[key] = Data(buffer)
            return complete
        }
        for line in lines { emit(host, piece.stream, line) }
    }

    /// Prints the unfinished last lines of `host`, if any.
    func finish(_ host: String) {
        for stream in [RunOutput.Stream.stdout, .stderr] {
            let rest = partial.withLockedValue { $0.removeValue(forKey: Self.key(host, stream)) }
            if let rest, !rest.isEmpty { emit(host, stream, rest) }
        }
    }

    private func emit(_ host: String, _ stream: RunOutput.Stream, _ line: Data) {
        var text = String(decoding: line, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        let name = TerminalText.sanitize(host) + (stream == .stdout ? ": " : ":err: ")
        print(name + TerminalText.sanitize(text))
    }

    private static func key(_ host: String, _ stream: RunOutput.Stream) -> String {
        "\(stream.rawValue)\(host)"
    }
}
