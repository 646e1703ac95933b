import NIOConcurrencyHelpers
import NIOCore

/// Where one request's answer (its OK or ERR frame) lands, or the reason it never will: completed once, from
/// any thread, and awaited once. What `AgentConnection.request` waits on.
final class ReplySlot: Sendable {
    private enum State: Sendable {
        case empty
        case awaited(CheckedContinuation<Frame, any Error>)
        case done(Result<Frame, any Error>)
    }

    private let state = NIOLockedValueBox(State.empty)
    /// Told once, when the slot is completed (`request`'s `ended`).
    private let ended: (@Sendable () -> Void)?

    init(ended: (@Sendable () -> Void)? = nil) {
        self.ended = ended
    }

    /// Completes the slot; later completions are ignored (an answer that raced a timeout, say).
    func complete(_ result: Result<Frame, any Error>) {
        let (first, waiter) = state.withLockedValue { state -> (Bool, CheckedContinuation<Frame, any Error>?) in
            switch state {
            case .done:
                return (false, nil)
            case .empty:
                state = .done(result)
                return (true, nil)
            case .awaited(let waiter):
                state = .done(result)
                return (true, waiter)
            }
        }
        guard first else { return }
        ended?()
        waiter?.resume(with: result)
    }

    /// Whether the slot was completed (its answer came, or it failed).
    var isDone: Bool {
        state.withLockedValue { state in
            if case .done = state { return true }
            return false
        }
    }

    /// The answer, at once if it came already.
    func value() async throws -> Frame {
        try await withCheckedThrowingContinuation { waiter in
            let ready = state.withLockedValue { state -> Result<Frame, any Error>? in
                switch state {
                case .done(let result):
                    return result
                case .empty, .awaited:
                    state = .awaited(waiter)
                    return nil
                }
            }
            if let ready { waiter.resume(with: ready) }
        }
    }
}

/// The requests whose answer may be handed over on the event loop, as the frame is read (`ReplyRouter`): those
/// that take no DATA, so nothing of theirs can still be on its way through the connection's reader behind it.
final class QuickReplies: Sendable {
    /// The slots by request id; nil once the connection broke the protocol or ended (`close`).
    private let slots = NIOLockedValueBox<[UInt32: ReplySlot]?>([:])

    /// Registers `id` before its request is written (nothing once closed: its answer goes the slow way).
    func expect(_ id: UInt32, _ slot: ReplySlot) {
        slots.withLockedValue { $0?[id] = slot }
    }

    /// The slot waiting for `id`'s answer, taken out of the table.
    func take(_ id: UInt32) -> ReplySlot? {
        slots.withLockedValue { $0?.removeValue(forKey: id) }
    }

    /// From now on no answer is handed over here: a host that broke the protocol has its later frames ignored,
    /// and its requests fail with the reason (`AgentConnection.lost`).
    func close() {
        slots.withLockedValue { $0 = nil }
    }

    /// Drops `id` once its request is over (answered, failed or given up).
    func forget(_ id: UInt32) {
        _ = take(id)
    }
}

/// Sits between the frame decoder and the connection's reader: an OK or ERR frame for a request in
/// `QuickReplies` completes its slot right here, on the event loop, and goes no further. At N=100 a warm `call`
/// spent most of chop's part in passing each answer on: to the reader task, to the connection's actor, back to
/// the event loop for the promise, then to the request's task. Every other frame goes on as before.
final class ReplyRouter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Frame
    typealias InboundOut = Frame

    private let replies: QuickReplies

    init(_ replies: QuickReplies) {
        self.replies = replies
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.op == .ok || frame.op == .error, let slot = replies.take(frame.id) {
            slot.complete(.success(frame))
        } else {
            context.fireChannelRead(data)
        }
    }
}
