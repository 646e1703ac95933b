import NIOConcurrencyHelpers

/// The far side's stderr for one tunnel: the last lines are kept (bounded) to explain failures and to be
/// shown on request, prefixed with the host name; an optional live handler sees each line as it comes.
public final class StderrLog: Sendable {
    private struct State {
        var lines: [String] = []
        var partial: [UInt8] = []
        var handler: (@Sendable (String) -> Void)?
        /// Handshake lines (`SudoLaunch`) not yet taken, and the one waiting for them.
        var markers: [String] = []
        var markerWaiter: CheckedContinuation<String?, Never>?
        var ended = false
        var printsOnLogin = false
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
    /// What the host printed on login is left out: it is not a message about the failure.
    func tail(_ count: Int = 20) -> String {
        state.withLockedValue { state in
            state.lines.filter { !$0.hasPrefix(Self.loginPrefix) }.suffix(count).joined(separator: "\n")
        }
    }

    /// Records a line of chop's own about this tunnel (a connect it retried): `log` shows it among the host's.
    func note(_ line: String) {
        append(Array((line + "\n").utf8))
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
            // sudo's prompt has no newline (`SudoLaunch.promptMarker`): all that is pending, it is a line.
            if state.partial.elementsEqual(SudoLaunch.promptMarker.utf8) {
                complete.append(SudoLaunch.promptMarker)
                state.partial.removeAll(keepingCapacity: true)
            }
            // Handshake lines are for the connection, not the log.
            complete.removeAll { line in
                guard line.hasPrefix(SudoLaunch.markerPrefix) else { return false }
                state.markers.append(line)
                return true
            }
            if let waiter = state.markerWaiter, !state.markers.isEmpty {
                state.markerWaiter = nil
                waiter.resume(returning: state.markers.removeFirst())
            }
            state.lines.append(contentsOf: complete)
            if state.lines.count > Self.maxLines { state.lines.removeFirst(state.lines.count - Self.maxLines) }
            return state.handler
        }
        if let handler { complete.forEach(handler) }
    }

    /// Whether the host printed text on stdout before the agent started (an rc file that prints), on any
    /// connection of this tunnel.
    public var printsOnLogin: Bool { state.withLockedValue { $0.printsOnLogin } }

    /// Prefixes the lines of `loginText` in the log.
    public static let loginPrefix = "(printed on login) "

    /// Keeps what the host printed on stdout before the agent's marker: the host's text, not chop's, so it goes
    /// in the log (`log HOST`), each line marked, and is otherwise dropped.
    func recordLoginText(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            Self.loginPrefix + String(decoding: line.prefix(Self.maxLineBytes), as: UTF8.self)
        }
        if bytes.last == 0x0A { lines.removeLast() }
        if lines.count > Self.maxLines / 2 {
            let more = lines.count - Self.maxLines / 2
            lines = lines.prefix(Self.maxLines / 2) + [Self.loginPrefix + "… (\(more) more lines)"]
        }
        state.withLockedValue { state in
            state.printsOnLogin = true
            state.lines.append(contentsOf: lines)
            if state.lines.count > Self.maxLines { state.lines.removeFirst(state.lines.count - Self.maxLines) }
        }
    }

    /// Keeps an unterminated last line when the stream ends.
    func finish() {
        let partial = state.withLockedValue { state -> [UInt8] in
            defer { state.partial.removeAll() }
            return state.partial
        }
        if !partial.isEmpty { append(partial + [0x0A]) }
        endMarkerWait()
    }

    /// The next handshake line from the far side (see `SudoLaunch`), or nil once stderr has ended or
    /// `endMarkerWait` was called (a timeout).
    func nextMarker() async -> String? {
        await withCheckedContinuation { continuation in
            state.withLockedValue { state in
                if !state.markers.isEmpty {
                    continuation.resume(returning: state.markers.removeFirst())
                } else if state.ended {
                    continuation.resume(returning: nil)
                } else {
                    state.markerWaiter = continuation
                }
            }
        }
    }

    /// Starts a new connection's handshake: markers and the end of an earlier connection's stderr are forgotten
    /// (the log outlives each connection of its tunnel).
    func beginMarkers() {
        state.withLockedValue { state in
            state.markers.removeAll()
            state.ended = false
        }
    }

    /// Ends every wait for a handshake line, now and later (until `beginMarkers`).
    func endMarkerWait() {
        state.withLockedValue { state in
            state.ended = true
            state.markerWaiter?.resume(returning: nil)
            state.markerWaiter = nil
        }
    }
}
