import NIOConcurrencyHelpers
import NIOCore

/// The first request of a connect, carried in ssh's command line beside the bootstrap instead of on stdin.
///
/// Why: sshd opens a session's window only with its reply to the command, so whatever chop writes to stdin
/// leaves a round trip after the command; a host whose compiled agent is cached answers a request that came
/// with the command in that same round trip (the stub starts it before the agent's bytes arrive). A cold
/// connect then costs what ssh's own `ssh HOST CMD` does, and a connect through a shared master two round
/// trips instead of three.
///
/// Only requests that reveal nothing a `ps` on the host should not see go this way: the command line is
/// readable by the host's other users while the agent runs. A `run` shows its command there anyway (as
/// `ssh HOST CMD` does); its environment and stdin do not travel in it, nor do `call`, `exec` or `eval` sources.
enum OpeningRequest {
    /// The ops that may travel in the command line.
    static let ops: Set<String> = ["run", "ping", "facts"]
    /// Parameters that keep a request on stdin: what a process list must not show.
    static let privateParams: Set<String> = ["env", "stdin_b64"]
    /// The most a request may take in the command line (its frame, before base64).
    static let maxBytes = 4096
    /// The request id the first request gets on a new connection.
    static let id: UInt32 = 1

    /// The REQ payload of `op` with `params`, exactly as `AgentConnection.request` writes it.
    static func payload(_ op: String, _ params: [String: JSONValue]) -> [UInt8] {
        var object = params
        object["op"] = .string(op)
        return JSONWriter(nonFinite: .token).bytes(.object(object))
    }

    /// The payload when `op` with `params` may travel in the command line, else nil.
    static func carried(_ op: String, _ params: [String: JSONValue]) -> [UInt8]? {
        guard ops.contains(op), !params.keys.contains(where: privateParams.contains) else { return nil }
        let bytes = payload(op, params)
        return bytes.count + 9 <= maxBytes ? bytes : nil
    }

    /// The whole REQ frame of `payload` with id `id`: length, op, id, payload.
    static func frame(_ payload: [UInt8]) -> [UInt8] {
        let frame = Frame(op: .request, id: id, payload: ByteBuffer(bytes: payload))
        var buffer = ByteBuffer()
        frame.writeHeader(into: &buffer)
        buffer.writeImmutableBuffer(frame.payload)
        return Array(buffer.readableBytesView)
    }
}

/// Where an operation hands its first request to the connect it started, before that connect spawns ssh.
///
/// The connect waits here (only when its bootstrap goes in the command line) until the member's operation
/// offers its request, or says it has none; every path that waits for the connect offers first (nil when
/// it has no request to give), so the connect never waits for someone who is waiting for it.
final class OpeningSlot: Sendable {
    private enum State {
        case open([CheckedContinuation<[UInt8]?, Never>])
        case offered([UInt8]?)
    }

    private let state = NIOLockedValueBox(State.open([]))

    init() {}

    /// Gives the request's payload (nil: none); only the first offer counts.
    func offer(_ payload: [UInt8]?) {
        let waiting: [CheckedContinuation<[UInt8]?, Never>] = state.withLockedValue { state in
            guard case .open(let waiting) = state else { return [] }
            state = .offered(payload)
            return waiting
        }
        for continuation in waiting { continuation.resume(returning: payload) }
    }

    /// Longest a connect waits for the offer: every path that waits for the connect offers first, so this only
    /// bounds what a bug would cost (a connect that spawns a moment late, without its first request).
    static let patience = Duration.seconds(1)

    /// The offered payload, once there is an offer (nil after `patience`); nil at once when the waiting task is
    /// cancelled.
    func payload() async -> [UInt8]? {
        let patience = Task { [weak self] in
            try? await Task.sleep(for: Self.patience)
            self?.offer(nil)
        }
        defer { patience.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let offered: [UInt8]?? = state.withLockedValue { state in
                    switch state {
                    case .offered(let payload): return .some(payload)
                    case .open(let waiting):
                        state = .open(waiting + [continuation])
                        return nil
                    }
                }
                if let offered { continuation.resume(returning: offered) }
            }
        } onCancel: {
            offer(nil)
        }
    }
}
