import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One live agent: the child process, its framed stdin/stdout, and the requests in flight on it.
///
/// Many requests share one connection; each waits on its own `ReplySlot`, keyed by request id, and a reader
/// task routes every frame from the agent to its request. Anything malformed from the host ends this
/// connection (and only this one) with an error for each request in flight.
actor AgentConnection {
    typealias Hello = Reply.Hello

    private struct Pending {
        let slot: ReplySlot
        let onData: (@Sendable (ByteBuffer) throws -> Void)?
        /// Waited for after each DATA frame before the next frame is read (see `request`).
        let paced: (@Sendable () async -> Void)?
    }

    /// The tunnel's child here, or a leaf's route through its gateway (`LeafRoute`).
    nonisolated let process: any AgentChild
    nonisolated let stderr: StderrLog
    nonisolated let eventLoop: any EventLoop
    /// The framed pipe itself, for writes whose completion matters (`answerWant`); a leaf's is its gateway's.
    nonisolated let channel: any Channel
    /// Set for a leaf behind a gateway: its frames go out wrapped for its route, over the gateway's pipe.
    nonisolated let route: LeafRoute?
    /// The leaves this connection relays when its host is a gateway (`GatewayRouter`).
    nonisolated let router = GatewayRouter()
    nonisolated let kind: any TunnelKind
    private let timeoutSeconds: Int
    private(set) var writer: NIOAsyncChannelOutboundWriter<Outgoing>?
    private var pending: [UInt32: Pending] = [:]
    /// The requests whose answer the event loop hands over as it reads it (`ReplyRouter`); nil for a leaf.
    private let quick: QuickReplies?
    private var nextID: UInt32 = 1
    private var helloPromise: EventLoopPromise<Hello>?
    /// The agent's hello has come (requests may be written before: see `launch`).
    private(set) var helloArrived = false
    /// Requests sent and not yet answered.
    var inFlight: Int { pending.count }
    /// Fails the hello after the connect timeout.
    private var helloTimer: Scheduled<Void>?
    /// The connect went through a connection a previous run left open (ssh's ControlMaster).
    nonisolated let reused: Bool
    /// Told the outcome of the hello, once (`Launch.settled`); nil once told.
    private var settled: (@Sendable (Bool) -> Void)?
    private var stderrDone: Task<Void, Never>?
    /// Reads frames from the agent until its stdout ends; ended by `shutdown`.
    private var reader: Task<Void, Never>?
    /// Set once the connection is gone; later requests fail at once with it.
    private(set) var lostReason: ErrorResult?
    /// The user's code this agent may import (the tunnel's, shared), and the modules already sent to it:
    /// each goes once per connection (until a reload).
    private let shipped: NIOLockedValueBox<[String: ShippedRoot]>
    private var served: Set<String> = []
    /// True from a WANT until chop's answer is written into the agent's stdin. Cleared on the event loop as the
    /// write completes, so before that loop can read the agent's next frame: the agent asks one thing at a
    /// time, and a WANT that finds this set was sent before the answer could reach it (a flood).
    private let answering = NIOLockedValueBox(false)
    /// Set when the host broke the protocol: its later frames are ignored while the connection ends.
    private var broken = false
    /// The first request, sent in ssh's command line (`OpeningRequest`) and not yet claimed by the operation
    /// that offered it; the frames its answer sends meanwhile wait in `unclaimed`.
    private var opening: [UInt8]?
    private var unclaimed: [Frame] = []
    /// The first request's payload once its unclaimed answer outgrew `unclaimedLimit` and it was cancelled: the
    /// operation that then claims it fails instead of sending it again (it must never run twice).
    private var abandoned: [UInt8]?
    /// What the host printed on stdout before the agent's marker, while the agent has not started (nil after).
    private let login: NIOLockedValueBox<[UInt8]?>

    init(
        process: any AgentChild, kind: any TunnelKind, stderr: StderrLog, channel: any Channel, timeout: Int,
        shipped: NIOLockedValueBox<[String: ShippedRoot]>, login: NIOLockedValueBox<[UInt8]?>,
        route: LeafRoute? = nil, reused: Bool = false, settled: (@Sendable (Bool) -> Void)? = nil,
        opening: [UInt8]? = nil, quick: QuickReplies? = nil
    ) {
        self.opening = opening
        self.quick = quick
        if opening != nil { nextID = OpeningRequest.id + 1 }
        self.route = route
        self.reused = reused
        self.settled = settled
        self.shipped = shipped
        self.login = login
        self.process = process
        self.kind = kind
        self.stderr = stderr
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.timeoutSeconds = timeout
    }

    /// Starts the tunnel's child, sends the agent, and waits for its hello (at most `timeout` seconds).
    /// With `password`, a kind that goes through sudo is started with the password handshake (`SudoLaunch`).
    static func open(
        kind: any TunnelKind, timeout: Int, stderr: StderrLog, password: Secret? = nil,
        shipped: NIOLockedValueBox<[String: ShippedRoot]> = NIOLockedValueBox([:])
    ) async throws -> (AgentConnection, Hello) {
        if let leaf = kind as? GatewayLeaf {
            return try await openLeaf(leaf, timeout: timeout, stderr: stderr, shipped: shipped)
        }
        let connection = try await launch(
            kind: kind, timeout: timeout, stderr: stderr, password: password, shipped: shipped)
        return (connection, try await connection.hello())
    }

    /// Starts the tunnel's child and writes the bootstrap and the agent, without waiting for any answer:
    /// requests may be written right behind them (the agent reads them after its hello), so a connect costs
    /// no round trip that ssh itself does not. `hello()` then waits for the agent (at most `timeout` seconds
    /// from here on). A gateway's leaf is opened whole (its hello is then already there). With `batch`, the
    /// child is spawned with the batch's others (see `SpawnBatch`).
    /// With `opening`, the first request may go in ssh's command line (`OpeningRequest`): the connect waits
    /// for the operation to offer it before it spawns.
    static func launch(
        kind: any TunnelKind, timeout: Int, stderr: StderrLog, password: Secret? = nil,
        shipped: NIOLockedValueBox<[String: ShippedRoot]> = NIOLockedValueBox([:]), batch: SpawnBatch? = nil,
        opening: OpeningSlot? = nil
    ) async throws -> AgentConnection {
        if let leaf = kind as? GatewayLeaf {
            batch?.withdraw()
            return try await openLeaf(leaf, timeout: timeout, stderr: stderr, shipped: shipped).0
        }
        let password = kind.usesSudo ? password.flatMap { $0.isEmpty ? nil : $0 } : nil
        // A lingering agent the last run left (through chop's own master): no process to start here or there.
        var linger: String?
        if let ssh = kind as? SSH, let plan = await LingeringAgent.plan(for: ssh) {
            linger = plan.request
            if let path = plan.socket {
                if let connection = await openLingering(
                    path, kind: ssh, timeout: min(timeout, 5), stderr: stderr, shipped: shipped)
                {
                    batch?.withdraw()
                    return connection
                }
                if Task.isCancelled { throw ErrorResult("interrupted", kind: .interrupted) }
                LingeringAgent.failed(path)
                linger = nil
            }
        }
        let marker = Bootstrap.newMarker()
        let python = await kind.interpreter()
        // Over ssh without sudo the bootstrap is the command itself: stdin would cost a round trip more. So may
        // the first request be.
        var first: [UInt8]?
        if let opening, Bootstrap.carriesFirstRequest(kind) { first = await opening.payload() }
        var inline = Bootstrap.inline(
            for: kind, python: python, marker: marker, first: first.map(OpeningRequest.frame),
            linger: linger)
        if inline == nil, first != nil {
            first = nil
            inline = Bootstrap.inline(for: kind, python: python, marker: marker, linger: linger)
        }
        let launch = await kind.launch(script: inline ?? Bootstrap.reader, sudoPassword: password != nil)
        let line = inline == nil ? Bootstrap.line(python: python, marker: marker) : ""
        let process: ChildProcess
        do {
            process = try await batch?.spawn(launch.argv) ?? ChildProcess.spawn(launch.argv)
        } catch {
            launch.settled?(false)
            throw ErrorResult(String(describing: error), kind: .connection)
        }
        let group = MultiThreadedEventLoopGroup.singleton
        // What the host printed before the marker while the agent has not started; nil once it has.
        let login = NIOLockedValueBox<[UInt8]?>([])
        let quick = QuickReplies()
        let channel: NIOAsyncChannel<Frame, Outgoing>
        let errors: NIOAsyncChannel<ByteBuffer, Never>
        do {
            channel = try await NIOPipeBootstrap(group: group)
                .takingOwnershipOfDescriptors(input: process.stdoutFD, output: process.stdinFD) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try framed(channel, marker: Array((marker + "\n").utf8), quick: quick) { noise, found in
                            stderr.recordLoginText(noise)
                            login.withLockedValue { $0 = found ? nil : noise }
                        }
                    }
                }
            errors = try await NIOPipeBootstrap(group: group)
                .takingOwnershipOfDescriptor(input: process.stderrFD) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, Never>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            launch.settled?(false)
            await process.terminate()
            throw ErrorResult("cannot set up pipes: \(error)", kind: .connection)
        }
        let connection = AgentConnection(
            process: process, kind: kind, stderr: stderr, channel: channel.channel, timeout: timeout,
            shipped: shipped, login: login, reused: launch.reused, settled: launch.settled, opening: first,
            quick: quick)
        let bootstrap = ByteBuffer(string: line)
        await connection.begin(.pipe(channel, errors: errors, bootstrap: bootstrap), password: password)
        return connection
    }

    /// A connection to the lingering agent behind the Unix socket at `path` (`LingeringAgent`), once its agent
    /// said hello (within `timeout` seconds), or nil: the forward leads nowhere now, and the caller starts one.
    static func openLingering(
        _ path: String, kind: SSH, timeout: Int, stderr: StderrLog,
        shipped: NIOLockedValueBox<[String: ShippedRoot]> = NIOLockedValueBox([:])
    ) async -> AgentConnection? {
        let login = NIOLockedValueBox<[UInt8]?>([])
        let quick = QuickReplies()
        let channel: NIOAsyncChannel<Frame, Outgoing>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(unixDomainSocketPath: path) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try framed(channel, marker: lingerMarker, quick: quick) { _, found in
                            login.withLockedValue { $0 = found ? nil : [] }
                        }
                    }
                }
        } catch {
            return nil
        }
        let connection = AgentConnection(
            process: LingerLink(channel: channel.channel), kind: kind, stderr: stderr, channel: channel.channel,
            timeout: timeout, shipped: shipped, login: login, reused: true, quick: quick)
        do {
            _ = try await connection.start(.socket(channel), password: nil)
            return connection
        } catch {
            return nil
        }
    }

    /// `channel` read as frames after `marker` (`sync` told what came before it) and written as frames; the
    /// answers of `quick`'s requests are handed over as they are read.
    private static func framed(
        _ channel: any Channel, marker: [UInt8], quick: QuickReplies,
        sync: @escaping @Sendable (_ noise: [UInt8], _ found: Bool) -> Void
    ) throws -> NIOAsyncChannel<Frame, Outgoing> {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(marker: marker, sync: sync)))
        try channel.pipeline.syncOperations.addHandler(ReplyRouter(quick))
        try channel.pipeline.syncOperations.addHandler(FrameWriter())
        return try NIOAsyncChannel<Frame, Outgoing>(
            wrappingChannelSynchronously: channel,
            // Few frames queued per agent: a fast host waits for us instead of filling memory.
            configuration: .init(
                backPressureStrategy: .init(lowWatermark: 1, highWatermark: 4), isOutboundHalfClosureEnabled: true))
    }

    /// The line a lingering agent's child writes before its frames (the agent's `LINGER_MARKER`).
    static let lingerMarker = Array("chop-agent-linger\n".utf8)

    /// How `start` reaches the agent: the child's pipes, a lingering agent's socket, or a leaf's route (frames
    /// from the gateway, our writes through the gateway's writer, and `open` asking the gateway to start the leaf).
    enum Transport {
        case pipe(NIOAsyncChannel<Frame, Outgoing>, errors: NIOAsyncChannel<ByteBuffer, Never>, bootstrap: ByteBuffer)
        case socket(NIOAsyncChannel<Frame, Outgoing>)
        case route(
            LeafRoute, writer: NIOAsyncChannelOutboundWriter<Outgoing>, open: @Sendable () async throws -> Void)
    }

    /// `begin`, then waits for the hello.
    func start(_ transport: Transport, password: Secret?, helloTimeout: Int? = nil) async throws -> Hello {
        await begin(transport, password: password, helloTimeout: helloTimeout)
        return try await hello()
    }

    /// Attaches the transport and sends the agent (or asks the gateway to start it), without waiting for it.
    private func begin(_ transport: Transport, password: Secret?, helloTimeout: Int? = nil) async {
        let stderr = self.stderr
        stderr.beginMarkers()
        let helloPromise = eventLoop.makePromise(of: Hello.self)
        self.helloPromise = helloPromise
        let attached = eventLoop.makePromise(of: Void.self)
        switch transport {
        case .pipe(let channel, let errors, _):
            stderrDone = Task {
                try? await errors.executeThenClose { inbound in
                    for try await chunk in inbound { stderr.append(chunk.readableBytesView) }
                }
                stderr.finish()
            }
            reader = readFrames(channel, attached: attached)
        case .socket(let channel):
            stderrDone = Task { stderr.finish() }
            reader = readFrames(channel, attached: attached)
        case .route(let route, let writer, _):
            attach(writer)
            attached.succeed()
            stderrDone = Task { await route.ended() }
            reader = Task {
                for await frame in route.frames { await self.receive(frame)?() }
                await self.lost(route.ending)
            }
        }
        try? await attached.futureResult.get()
        let timeout = helloTimeout ?? timeoutSeconds
        helloTimer = eventLoop.scheduleTask(in: .seconds(Int64(timeout))) {
            helloPromise.fail(ErrorResult(FailureText.timedOut(after: timeout), kind: .timeout))
            stderr.endMarkerWait()
        }
        var refused: ErrorResult?
        if let password {
            refused = await withTaskCancellationHandler {
                await sudoHandshake(password)
            } onCancel: {
                stderr.endMarkerWait()
            }
        }
        if let refused {
            helloPromise.fail(refused)
        } else {
            do {
                guard let writer else { throw lostReason ?? ErrorResult("tunnel closed", kind: .connection) }
                switch transport {
                case .pipe(_, _, let bootstrap):
                    // The bootstrap line for the shell `Bootstrap.reader` started (none when it was the command),
                    // then the agent for its Python.
                    let lead: [Outgoing] = bootstrap.readableBytes > 0 ? [.raw(bootstrap)] : []
                    try await writer.write(contentsOf: lead + [.raw(Bootstrap.agentBuffer)])
                case .route(_, _, let open):
                    try await open()
                case .socket:
                    break  // the agent runs already
                }
            } catch let error as ErrorResult where route != nil {
                // The gateway refused to start the leaf: that is the reason.
                helloPromise.fail(error)
            } catch {
                // The child may have died at once; its reason arrives through `lost`.
            }
        }
    }

    /// Reads `channel`'s frames until it ends (then the connection is lost), the writer attached first.
    private func readFrames(_ channel: NIOAsyncChannel<Frame, Outgoing>, attached: EventLoopPromise<Void>) -> Task<
        Void, Never
    > {
        Task {
            do {
                try await channel.executeThenClose { inbound, outbound in
                    self.attach(outbound)
                    attached.succeed()
                    for try await frame in inbound { await self.receive(frame)?() }
                }
                await self.lost(nil)
            } catch {
                attached.succeed()
                await self.lost(error)
            }
        }
    }

    /// Waits for the agent's hello (see `launch`); without one, the child is stopped and the reason thrown.
    func hello() async throws -> Hello {
        guard let helloPromise else { throw lostReason ?? ErrorResult("tunnel closed", kind: .connection) }
        defer { helloTimer?.cancel() }
        do {
            // Cancellable: a Ctrl-C must not wait for a host that is slow to answer.
            let hello = try await withTaskCancellationHandler {
                try await helloPromise.futureResult.get()
            } onCancel: {
                helloPromise.fail(ErrorResult("interrupted", kind: .interrupted))
            }
            settle(true)
            return hello
        } catch {
            settle(false)
            // No hello: nothing useful is running there. Stop the child now rather than wait for it.
            process.signalGroup(SIGTERM)
            await shutdown()
            throw ErrorResult(error)
        }
    }

    private func settle(_ outcome: Bool) {
        settled?(outcome)
        settled = nil
    }

    /// Writes the password when sudo prompts for it, and returns once the shell sudo started says it is ready
    /// (nil), or with the reason to give up: a second prompt means the password was refused. When stderr ends
    /// or the connect times out first, it returns nil too and the connection's own failure tells why.
    private func sudoHandshake(_ password: Secret) async -> ErrorResult? {
        var prompted = false
        while let marker = await stderr.nextMarker() {
            if marker == SudoLaunch.readyMarker { return nil }
            guard marker == SudoLaunch.promptMarker else { continue }
            if prompted {
                return .passwordRefused
            }
            prompted = true
            // Straight into the pipe, not through NIO's buffers: the one copy made here is zeroed after. The
            // pipe is empty (nothing else was written yet), so a line this short is written whole at once.
            guard let fd = (process as? ChildProcess)?.stdinFD else { return nil }
            password.withBytes { bytes in
                var line = bytes
                line.append(0x0A)
                _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                line.withUnsafeMutableBufferPointer { buffer in
                    for index in buffer.indices { buffer[index] = 0 }
                }
            }
        }
        return nil
    }

    private func attach(_ outbound: NIOAsyncChannelOutboundWriter<Outgoing>) {
        writer = outbound
    }

    // MARK: Requests

    /// Sends a request and waits for its result. `onData` receives DATA frames (fetch) in order.
    /// `body` runs after the request is sent, for requests that stream data to the agent (put).
    /// The reply is decoded as `reply`: a missing or mistyped field fails this host with a protocol error.
    /// With `timeout` (the one the agent was given), the host is ended from this side when no answer came
    /// `deadlineGrace` seconds after it: a hostile or stuck agent cannot run past it.
    /// `ended` hears when the request's answer (or failure) arrives, for a `body` that waits on the agent's DATA.
    /// `paced` is waited for after each DATA frame before this connection reads on: a fetch whose disk is behind
    /// holds up its own host, not the threads `onData` runs on.
    func request<Reply: Decodable>(
        _ op: String, _ params: [String: JSONValue] = [:], reply: Reply.Type,
        onData: (@Sendable (ByteBuffer) throws -> Void)? = nil, paced: (@Sendable () async -> Void)? = nil,
        body: (@Sendable (UInt32, AgentConnection) async throws -> Void)? = nil, timeout: Double? = nil,
        ended: (@Sendable () -> Void)? = nil
    ) async throws -> Reply {
        if let lostReason { throw lostReason }
        guard writer != nil else { throw ErrorResult("tunnel not open", kind: .connection) }
        let payload = OpeningRequest.payload(op, params)
        if body == nil, let abandoned, payload == abandoned {
            self.abandoned = nil
            throw ErrorResult(
                "interrupted: the host answered this first request faster than chop could take it", kind: .interrupted)
        }
        // The request that went in the command line: it is this one when its bytes are, and is not sent again.
        let claimed = opening != nil && body == nil && payload == opening
        if claimed { opening = nil }
        let id = claimed ? OpeningRequest.id : nextID
        if !claimed { nextID = nextID == UInt32.max ? OpeningRequest.id + 1 : nextID + 1 }
        let slot = ReplySlot(ended: ended)
        pending[id] = Pending(slot: slot, onData: onData, paced: paced)
        // Without DATA either way (and not the command line's, whose early frames came through the reader) its
        // answer can be handed over by the event loop as it is read. Not one with a body: an early ERR (a put
        // the host refused) must reach `receive`, so the body's next `sendData` stops it.
        let quick = onData == nil && body == nil && !claimed ? self.quick : nil
        quick?.expect(id, slot)
        let deadline = timeout.map { timeout in
            eventLoop.scheduleTask(in: .milliseconds(Int64((timeout + Self.deadlineGrace) * 1000))) {
                Task { await self.expire(id, timeout: timeout) }
            }
        }
        defer {
            deadline?.cancel()
            quick?.forget(id)
            pending[id] = nil
        }
        return try await withTaskCancellationHandler {
            do {
                if claimed {
                    // What its answer sent before it was claimed, in order (an answer ends it).
                    let early = unclaimed
                    unclaimed = []
                    for frame in early { _ = receive(frame) }
                } else {
                    try await transmit(.frame(Frame(op: .request, id: id, payload: ByteBuffer(bytes: payload))))
                }
                if let body { try await body(id, self) }
            } catch is CancellationError {
                // Ctrl-C, or the agent already answered (e.g. refused a put): its slot is completed elsewhere.
            } catch is ChannelError {
                // The tunnel is going away; `lost` fails every pending slot with the reason.
            } catch is NIOAsyncWriterError {
                // The same, seen from the writer.
            } catch {
                // Our side failed mid-request (e.g. the local file became unreadable during a put): fail it
                // here, and tell the agent to drop what it has, so neither side waits for data that never comes.
                if pending[id] != nil, lostReason == nil {
                    fail(id, ErrorResult(error))
                    try? await transmit(.frame(Frame(op: .cancel, id: id)))
                }
            }
            let answer = try await slot.value()
            if answer.op == .error { throw Self.failure(answer) }
            let value: JSONValue
            do {
                value = try JSONValue.parse(answer.payload.readableBytesView)
            } catch {
                throw ErrorResult("protocol error: unreadable reply to \(op): \(error)", kind: .protocol)
            }
            return try Chopsticks.Reply.decode(reply, value, op: op)
        } onCancel: {
            Task { await self.cancel(id) }
        }
    }

    /// Runs `body`, a bulk transfer, with the pipe it fills widened (`WidePipe`): the one the agent's frames
    /// arrive on (`toHost: false`, a fetch) or the one chop writes to (a put); then gives it its size back.
    nonisolated func widened<T: Sendable>(
        toHost: Bool = false, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        guard let child = process as? ChildProcess, let wide = WidePipe(toHost ? child.stdinFD : child.stdoutFD)
        else { return try await body() }
        defer { wide.restore() }
        return try await body()
    }

    /// Sends a chunk of a put; throws once the request has ended (e.g. the agent refused the path).
    func sendData(_ id: UInt32, _ op: Frame.Op, _ bytes: ByteBuffer) async throws {
        guard pending[id] != nil, writer != nil else { throw CancellationError() }
        try await transmit(.frame(Frame(op: op, id: id, payload: bytes)))
    }

    /// Sends DATA frames of request `id` in one write (one flush, one `writev`): a tree's small files go out a
    /// batch at a time, so ssh and the agent wake once per batch, not once per file.
    func sendData(_ id: UInt32, frames: [ByteBuffer]) async throws {
        guard pending[id] != nil else { throw CancellationError() }
        try await transmit(frames.map { .frame(Frame(op: .data, id: id, payload: $0)) })
    }

    /// Writes to the agent: straight into the pipe, or wrapped for a leaf's route into its gateway's.
    private func transmit(_ item: Outgoing) async throws {
        try await transmit([item])
    }

    /// Writes `items` in one write (one flush), each wrapped for the route as `transmit(_:)` does.
    private func transmit(_ items: [Outgoing]) async throws {
        guard let writer else { throw CancellationError() }
        try await writer.write(contentsOf: route.map { route in items.map { route.wrap($0) } } ?? items)
    }

    /// No more input for the agent: its stdin is closed (a leaf's, by its gateway).
    private func endInput() {
        if let route { route.closeInput() } else { writer?.finish() }
    }

    /// Frames of the first request's answer kept before its operation claims it (see `receive`).
    static let unclaimedLimit = 256

    /// Seconds a host has past a request's own timeout before chop ends it: time for the agent to stop the
    /// command and send what it printed.
    static let deadlineGrace = 5.0

    /// Request `id` outlived its timeout and the grace: the agent did not stop it, so the connection is ended
    /// (its child signalled, then killed), failing every request on it.
    private func expire(_ id: UInt32, timeout: Double) async {
        // An answer the event loop handed over counts, though its request has not yet taken it.
        guard let entry = pending[id], !entry.slot.isDone, lostReason == nil else { return }
        let limit = timeout == timeout.rounded() ? String(Int(timeout)) : String(timeout)
        broken = true
        await lost(
            ErrorResult(
                "timed out: still running \(Int(Self.deadlineGrace)) s after its \(limit) s timeout; chop closed "
                    + "its tunnel", kind: .timeout))
    }

    /// Tells the agent to stop request `id` and fails it as interrupted here at once.
    func cancel(_ id: UInt32) async {
        guard let entry = pending[id], !entry.slot.isDone else { return }
        fail(id, ErrorResult("interrupted", kind: .interrupted))
        try? await transmit(.frame(Frame(op: .cancel, id: id)))
    }

    private func fail(_ id: UInt32, _ error: ErrorResult) {
        pending.removeValue(forKey: id)?.slot.complete(.failure(error))
    }

    /// Routes one frame; for a DATA frame, what to wait for before reading the next (`request`'s `paced`).
    private func receive(_ frame: Frame) -> (@Sendable () async -> Void)? {
        guard !broken else { return nil }
        if opening != nil, frame.id == OpeningRequest.id, [.ok, .error, .data].contains(frame.op) {
            // The answer to the request in the command line, before the operation claimed it: kept until it
            // does (a moment later). One that is never claimed is cancelled past `unclaimedLimit` frames, and
            // what comes after is ignored, as for any id no request waits on.
            guard unclaimed.count < Self.unclaimedLimit else {
                abandoned = opening
                opening = nil
                unclaimed = []
                Task { try? await self.transmit(.frame(Frame(op: .cancel, id: OpeningRequest.id))) }
                return nil
            }
            unclaimed.append(frame)
            return nil
        }
        switch frame.op {
        case .hello:
            helloArrived = true
            do {
                let value = try JSONValue.parse(frame.payload.readableBytesView)
                // The version first, so a mismatch says so rather than naming a field the other version lacks.
                if let version = value["agent"], version != .int(Int64(Reply.protocolVersion)) {
                    throw ErrorResult(
                        "protocol error: the agent speaks protocol version \(version), this chop speaks "
                            + "\(Reply.protocolVersion); use the chop that sent it", kind: .protocol)
                }
                helloPromise?.succeed(try Reply.decode(Hello.self, value, op: "hello"))
            } catch let error as ErrorResult {
                helloPromise?.fail(error)
            } catch {
                helloPromise?.fail(ErrorResult("protocol error: unreadable hello: \(error)", kind: .protocol))
            }
        case .ok, .error:
            pending.removeValue(forKey: frame.id)?.slot.complete(.success(frame))
        case .data:
            guard let entry = pending[frame.id] else { return nil }
            do {
                try entry.onData?(frame.payload)
                return entry.paced
            } catch {
                fail(frame.id, ErrorResult(error))
                Task { try? await self.transmit(.frame(Frame(op: .cancel, id: frame.id))) }
            }
        case .want:
            answerWant(frame)
        case .route, .leaf:
            // Only a gateway sends these, and only for leaves chop opened through it.
            if !router.deliver(frame) { breakOff("protocol error: unexpected frame op \(frame.op) from host") }
        case .end, .request, .cancel, .shipped:
            // Only the controller sends these: a host that does is broken or hostile.
            breakOff("protocol error: unexpected frame op \(frame.op) from host")
        }
        return nil
    }

    /// What an ERR frame says, as the error its request throws.
    private static func failure(_ frame: Frame) -> ErrorResult {
        let failure: Reply.Failure
        do {
            failure = try Reply.decode(
                Reply.Failure.self, try JSONValue.parse(frame.payload.readableBytesView), op: "a request (ERR)")
        } catch {
            return ErrorResult(error)
        }
        let kind: ErrorResult.Kind = failure.type == "Cancelled" ? .interrupted : .remote
        let text = failure.msg.isEmpty ? failure.type : "\(failure.type): \(failure.msg)"
        return ErrorResult(text, kind: kind, type: failure.type, traceback: failure.tb)
    }

    /// Ends the connection for a protocol violation, once; frames still arriving are ignored meanwhile.
    private func breakOff(_ message: String) {
        broken = true
        quick?.close()
        Task { await lost(ErrorResult(message, kind: .protocol)) }
    }

    // MARK: Shipped code

    /// Answers the import hook's `want` for a module or data file of the shipped roots (`ModuleServer`).
    /// One at a time: a host that asks again before the answer is in its stdin, or asks when nothing was
    /// shipped to it, is failed, so a flood of WANTs cannot pile up answers in memory.
    private func answerWant(_ frame: Frame) {
        guard !shipped.withLockedValue({ $0.isEmpty }) else {
            return breakOff("protocol error: the host asked for shipped code, but nothing was shipped to it")
        }
        let busy = answering.withLockedValue { busy in
            defer { busy = true }
            return busy
        }
        guard !busy else {
            return breakOff("protocol error: the host asked for shipped code again before it had the last answer")
        }
        let answer: JSONValue
        if let query = try? JSONValue.parse(frame.payload.readableBytesView) {
            if case .string(let name)? = query["module"], served.contains(name) {
                answer = ["found": false, "msg": .string("chop sent \(name) on this connection already")]
            } else {
                answer = ModuleServer.answer(query, roots: shipped.withLockedValue { $0 })
                if case .string(let name)? = query["module"], answer["found"] == true { served.insert(name) }
            }
        } else {
            answer = ["found": false, "msg": "chop could not read the want"]
        }
        let reply = Frame(
            op: .shipped, id: frame.id, payload: ByteBuffer(bytes: JSONWriter(nonFinite: .token).bytes(answer)))
        let answering = self.answering
        let channel = self.channel
        let outgoing = route.map { $0.wrap(.frame(reply)) } ?? .frame(reply)
        // The write and the callback that clears the flag are set up in one event-loop task, so the callback is
        // attached before the write can complete and runs in the same loop turn as the write: before that loop
        // can read the agent's next WANT. (A callback added from here, off the loop, to a write already done
        // runs in a later task, after the loop may have read that WANT: an honest host then looked like a flood.)
        channel.eventLoop.execute {
            channel.writeAndFlush(outgoing).whenComplete { _ in answering.withLockedValue { $0 = false } }
        }
    }

    /// Lets modules `names` (and their submodules) be sent again: they are being reloaded.
    func forgetServed(_ names: [String]) {
        served = served.filter { module in !names.contains { module == $0 || module.hasPrefix($0 + ".") } }
    }

    // MARK: Ending

    /// The agent's stdout ended or broke: explain why and fail everything in flight.
    private func lost(_ error: (any Error)?) async {
        guard lostReason == nil else { return }
        quick?.close()
        // Leaves behind this host hear it at once, not after its child is reaped.
        router.lose(gateway: kind.name)
        let protocolError =
            (error as? FrameError).map { frameError in
                guard case .tooMuchLoginText = frameError else {
                    return ErrorResult(frameError.description, kind: .protocol)
                }
                return ErrorResult(
                    "\(frameError.description) (an rc file that prints, or a login shell that never runs chop's "
                        + "command)", kind: .connection,
                    cause: .tooMuchLoginText)
            }
            ?? (error as? ErrorResult)
        // A broken protocol is the reason already: a request made while the child is ended gets it too.
        lostReason = protocolError ?? ErrorResult("tunnel is closing", kind: .connection)
        if protocolError != nil { process.signalGroup(SIGTERM) }
        let status = await process.waitForExit(graceSeconds: 1)
        await stderrDone?.value
        let reason =
            protocolError
            ?? FailureText.classify(
                stderr: stderr.tail(), exit: status.map(describeWaitStatus), host: kind.name, kind: kind,
                timeout: timeoutSeconds,
                loginText: login.withLockedValue { $0 }.map { String(decoding: $0, as: UTF8.self) })
        lostReason = reason
        helloPromise?.fail(reason)
        for (_, entry) in pending { entry.slot.complete(.failure(reason)) }
        pending.removeAll()
        endInput()
    }

    /// Closes the agent's stdin (it exits cleanly), then makes sure the child and its group are gone.
    /// With `hangUp`, ssh itself is ended at once instead of waiting for the agent's exit to come back: that
    /// wait is a whole round trip to a far host, and the far side ends the same way (sshd closes the session's
    /// pipes when the connection, or a shared master's channel, goes; the agent exits on that end of input).
    func shutdown(hangUp: Bool = false) async {
        settle(false)
        endInput()
        router.lose(gateway: kind.name)
        if lostReason == nil {
            lostReason = ErrorResult("tunnel closed", kind: .connection)
            if hangUp { process.signalGroup(SIGTERM) }
            // Give the agent a moment to exit on EOF, then the group is signalled.
            await process.waitForExit(graceSeconds: 2)
        } else {
            await process.waitForExit(graceSeconds: 0.5)
        }
        helloPromise?.fail(lostReason!)
        for (_, entry) in pending { entry.slot.complete(.failure(lostReason!)) }
        pending.removeAll()
        // The child is gone, so its stdout has ended: the frame reader finishes; cancelling it covers a
        // descendant that still holds the pipe open. So does an ssh master (ControlMaster) that was handed the
        // pipes: it keeps them until the far side confirms the channel's close, a round trip that a hang-up
        // does not wait for (what the agent still writes to stderr is not needed then).
        reader?.cancel()
        if hangUp { stderrDone?.cancel() }
        await reader?.value
        await stderrDone?.value
    }
}
