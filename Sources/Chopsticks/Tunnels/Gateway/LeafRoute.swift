import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// One leaf's side of a gateway: the frames the gateway relays from it (`frames`), what it says about the
/// leaf's tunnel (its stderr, login text, exit), and the way to end it. To the leaf's `AgentConnection` this
/// is the child process of a direct member (`AgentChild`).
final class LeafRoute: AgentChild {
    /// The route id: the id of every `route` and `leaf` frame about this leaf on the gateway's connection.
    let id: UInt32
    /// The gateway's connection, for requests about this leaf (`leaf_feed`).
    let gateway: AgentConnection
    /// The leaf's frames, in the order the gateway relayed them; finished when the leaf is gone.
    let frames: AsyncStream<Frame>
    private let continuation: AsyncStream<Frame>.Continuation
    private let stderr: StderrLog
    private let login: NIOLockedValueBox<[UInt8]?>
    private let eventLoop: any EventLoop
    /// Asks the gateway to close the leaf's input (false) or to kill its tunnel (true).
    private let closer: @Sendable (_ kill: Bool) -> Void
    private let exited: EventLoopPromise<CInt?>

    private struct State {
        var status: CInt?
        var ending: (any Error)?
        /// No more frames are taken: the leaf ended, or chop gave up waiting for it.
        var done = false
        /// The gateway said the leaf ended: the route id is free.
        var released = false
        var closed = false
        var killed = false
        /// Told when the gateway is lost (`whenGatewayLost`), once.
        var onLost: (@Sendable (ErrorResult) async -> Void)?
        var lost: ErrorResult?
    }
    private let state = NIOLockedValueBox(State())

    init(
        id: UInt32, gateway: AgentConnection, stderr: StderrLog, login: NIOLockedValueBox<[UInt8]?>,
        eventLoop: any EventLoop,
        closer: @escaping @Sendable (_ kill: Bool) -> Void
    ) {
        self.id = id
        self.gateway = gateway
        (frames, continuation) = AsyncStream.makeStream(of: Frame.self)
        self.stderr = stderr
        self.login = login
        self.eventLoop = eventLoop
        self.closer = closer
        exited = eventLoop.makePromise(of: CInt?.self)
    }

    /// Why the leaf ended when the gateway or chop said why (a fault, the gateway lost); nil for an exit that
    /// its status and stderr explain.
    var ending: (any Error)? { state.withLockedValue { $0.ending } }
    var released: Bool { state.withLockedValue { $0.released } }

    /// `item` (a frame for the leaf) as the gateway takes it: a `route` frame holding the leaf's frame.
    func wrap(_ item: Outgoing) -> Outgoing {
        guard case .frame(let frame) = item else { return item }
        var payload = ByteBufferAllocator().buffer(capacity: Frame.headerSize + frame.payload.readableBytes)
        payload.writeInteger(frame.op.rawValue)
        payload.writeInteger(frame.id)
        payload.writeImmutableBuffer(frame.payload)
        return .frame(Frame(op: .route, id: id, payload: payload))
    }

    /// A frame from the gateway about this leaf. False when it is malformed: the gateway is broken.
    func receive(_ frame: Frame) -> Bool {
        if frame.op == .route {
            var payload = frame.payload
            guard let raw: UInt8 = payload.readInteger(), let inner: UInt32 = payload.readInteger(),
                let op = Frame.Op(rawValue: raw)
            else { return false }
            if !state.withLockedValue({ $0.done }) { continuation.yield(Frame(op: op, id: inner, payload: payload)) }
            return true
        }
        guard let event = try? JSONValue.parse(frame.payload.readableBytesView) else { return false }
        if case .string(let text)? = event["stderr"] {
            guard let bytes = Data(base64Encoded: text) else { return false }
            if !state.withLockedValue({ $0.done }) { stderr.append(bytes) }
            return true
        }
        var before: [UInt8]?
        if case .string(let text)? = event["login"] {
            guard let bytes = Data(base64Encoded: text) else { return false }
            before = Array(bytes)
        }
        guard let exit = event["exit"] else {
            // The leaf's agent started: what it printed before is its login text.
            guard let before else { return false }
            stderr.recordLoginText(before)
            login.withLockedValue { $0 = nil }
            return true
        }
        if let before {
            stderr.recordLoginText(before)
            login.withLockedValue { $0 = before }
        }
        let status: CInt? = exit.intValue.map { $0 >= 0 ? CInt(truncatingIfNeeded: $0 & 0xff) << 8 : CInt(-$0 & 0x7f) }
        finish(status: status, ending: Self.fault(event), released: true)
        return true
    }

    /// The reason a gateway's `fault` gives, worded as chop words the same fault of a direct member.
    private static func fault(_ event: JSONValue) -> (any Error)? {
        guard case .string(let fault)? = event["fault"] else { return nil }
        let message = event["msg"]?.stringValue ?? fault
        switch fault {
        case "login": return FrameError.tooMuchLoginText(FrameDecoder.maxNoise)
        case "frame": return ErrorResult("protocol error: \(message)", kind: .protocol)
        case "timeout": return ErrorResult(message, kind: .timeout)
        default: return ErrorResult(message, kind: .connection)
        }
    }

    /// The gateway's connection ended: the leaf is unreachable now.
    func lose(gateway: String) {
        let reason = ErrorResult("gateway \(gateway) lost", kind: .connection)
        let handler = state.withLockedValue { state in
            defer { state.onLost = nil }
            if state.lost == nil, !state.done { state.lost = reason }
            return state.lost == nil ? nil : state.onLost
        }
        finish(status: nil, ending: reason, released: true)
        if let handler { Task { await handler(reason) } }
    }

    /// Calls `handler` when the gateway is lost (at once if it was): the leaf's member shows it down then, not
    /// at its next operation.
    func whenGatewayLost(_ handler: @escaping @Sendable (ErrorResult) async -> Void) {
        let lost = state.withLockedValue { state in
            if state.lost == nil { state.onLost = handler }
            return state.lost
        }
        if let lost { Task { await handler(lost) } }
    }

    private func finish(status: CInt?, ending: (any Error)?, released: Bool) {
        let first = state.withLockedValue { state in
            if released { state.released = true }
            guard !state.done else { return false }
            state.done = true
            state.status = status
            state.ending = ending
            return true
        }
        guard first else { return }
        continuation.finish()
        stderr.finish()
        exited.succeed(status)
    }

    /// The leaf's end: its frames and stderr have all arrived.
    func ended() async {
        _ = try? await exited.futureResult.get()
    }

    func closeInput() {
        let first = state.withLockedValue { state in
            defer { state.closed = true }
            return !state.closed && !state.done
        }
        if first { closer(false) }
    }

    func signalGroup(_ signal: CInt) {
        let first = state.withLockedValue { state in
            defer { state.killed = true }
            return !state.killed && !state.done
        }
        if first { closer(true) }
    }

    @discardableResult
    func waitForExit(graceSeconds: Double) async -> CInt? {
        let waiter = eventLoop.makePromise(of: CInt?.self)
        exited.futureResult.whenSuccess { waiter.succeed($0) }
        let timer = eventLoop.scheduleTask(in: .milliseconds(Int64(graceSeconds * 1000))) { waiter.succeed(nil) }
        let status = (try? await waiter.futureResult.get()) ?? nil
        timer.cancel()
        if !state.withLockedValue({ $0.done }) {
            // As a child's group gets SIGKILL after the grace: the gateway kills it, chop stops waiting.
            signalGroup(SIGKILL)
            finish(status: nil, ending: nil, released: false)
        }
        return status
    }
}
