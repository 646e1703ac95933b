import NIOConcurrencyHelpers

/// The far side's stderr for one tunnel: the last lines are kept (bounded) to explain failures and to be
/// shown on request, prefixed with the host name; an optional live handler sees each line as it comes.
public final class StderrLog: Sendable {
    private struct State {
        var lines: [String] = []
        var partial: [UInt8] = []
        var handler: (@Sendable (String) -> Void)?
    }

    public static let maxLines = 200
    private static let maxLineBytes = 4096
    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Called with every complete line from now on (e.g. to print `host: line` live).
    public func setHandler(_ handler: (@Sendable (String) -> Void)?) {
        state.withLockedValue { $0.handler = handler }
    }

    /// The kept lines, oldest first.
    public var lines: [String] { state.withLockedValue { $0.lines } }

    /// The last `count` lines joined, for failure messages.
    func tail(_ count: Int = 20) -> String {
        state.withLockedValue { $0.lines.suffix(count).joined(separator: "\n") }
    }

    func append(_ bytes: some Sequence<UInt8>) {
        var complete: [String] = []
        let handler = state.withLockedValue { state -> (@Sendable (String) -> Void)? in
            for byte in bytes {
                if byte == 0x0A {
                    // ssh ends its messages with CR LF: the CR ends the line, it is not part of it.
                    if state.partial.last == 0x0D { state.partial.removeLast() }
                    complete.append(String(decoding: state.partial, as: UTF8.self))
                    state.partial.removeAll(keepingCapacity: true)
                } else if state.partial.count < Self.maxLineBytes {
                    state.partial.append(byte)
                }
            }
            state.lines.append(contentsOf: complete)
            if state.lines.count > Self.maxLines { state.lines.removeFirst(state.lines.count - Self.maxLines) }
            return state.handler
        }
        if let handler { complete.forEach(handler) }
    }

    /// Keeps an unterminated last line when the stream ends.
    func finish() {
        let partial = state.withLockedValue { state -> [UInt8] in
            defer { state.partial.removeAll() }
            return state.partial
        }
        if !partial.isEmpty { append(partial + [0x0A]) }
    }
}
