import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// One member of a group: a tunnel kind plus its live connection, opened lazily and reopened after failure.
///
/// Every operation first makes sure the agent is up; a host whose connection failed is tried again on the
/// next operation rather than skipped. Operations throw `ErrorResult`.
public actor Tunnel {
    /// Where the member stands, for `hosts` tables, prompts and `@state` targets.
    public enum State: Sendable, Equatable {
        case idle
        case connecting
        case up
        case down(String)
        /// ssh has no key for the host: nothing was sent to it. `trust` resolves it.
        case unknownKey(String)
        /// The host's key is not the one in known_hosts: nothing was sent to it.
        case keyChanged(String)
        /// sudo on the far side asks for a password.
        case needsPassword(String)
        case closed

        /// Not connected, for a reason the user must act on (every failed state).
        public var isFailed: Bool {
            switch self {
            case .down, .unknownKey, .keyChanged, .needsPassword: true
            default: false
            }
        }

        /// The state a failed connection leaves, by the kind of its error.
        init(failure: ErrorResult) {
            switch failure.kind {
            case .unknownHostKey: self = .unknownKey(failure.msg)
            case .hostKeyChanged: self = .keyChanged(failure.msg)
            case .needsPassword: self = .needsPassword(failure.msg)
            default: self = .down(failure.msg)
            }
        }
    }

    public nonisolated let kind: any TunnelKind
    public nonisolated var name: String { kind.name }
    /// The far side's stderr, kept per tunnel (bounded).
    public nonisolated let stderr = StderrLog()
    /// Seconds allowed for the tunnel to start and the agent to say hello.
    public var connectTimeout: Int

    /// Where the member stands; readable without waiting for the actor, so target resolution stays synchronous.
    public nonisolated var state: State { stateBox.withLockedValue { $0 } }
    private let stateBox = NIOLockedValueBox<State>(.idle)
    /// "3.11.7", once connected.
    public private(set) var pythonVersion: String?
    /// The interpreter the agent runs under on the far side.
    public private(set) var interpreter: String?
    /// Round-trip time of the last ping, in seconds.
    public private(set) var lastRTT: Double?
    /// The last connection or operation error.
    public private(set) var lastError: String?
    /// The facts the agent knows (from its hello), once connected.
    public private(set) var factNames: [String] = []

    /// The user's code this member's agent may import (`ship`), read by the connection when the agent asks.
    nonisolated let shippedRoots = NIOLockedValueBox<[String: ShippedRoot]>([:])

    /// The agent's working directory as `changeDirectory` left it (absolute), set again on every new agent; nil
    /// while the agent stays in the folder it started in.
    nonisolated let directoryBox = NIOLockedValueBox<String?>(nil)

    /// The sudo password the user gave, shared with the session (one copy); used by kinds that go through sudo.
    private var password: Secret?

    private var connection: AgentConnection?
    private var opening: Task<AgentConnection, any Error>?
    /// Where the operation that started the connect under way hands it its first request (`OpeningSlot`).
    private nonisolated let openingSlot = NIOLockedValueBox<OpeningSlot?>(nil)
    /// The first attempt of the connect under way, done once the agent is written (see `pipelined`).
    private var launching: Task<AgentConnection, any Error>?
    /// How the last connect went: it reused a master connection, or retried after sshd dropped it.
    public private(set) var connectNote: String?

    public init(_ kind: any TunnelKind, connectTimeout: Int = 10) {
        self.kind = kind
        self.connectTimeout = connectTimeout
    }

    // MARK: Connection

    /// Opens the tunnel now (operations also do so on first use).
    public func connect() async throws {
        _ = try await live()
    }

    /// The connection, opened or reopened as needed. Concurrent callers share one attempt.
    func live() async throws -> AgentConnection {
        // A closed tunnel stays closed: a connect that was queued before `close()` must not reopen it.
        if state == .closed { throw ErrorResult("tunnel closed", kind: .connection) }
        if let connection, await connection.lostReason == nil { return connection }
        offerOpening(nil)
        if let opening { return try await opening.value }
        let task = beginOpening()
        return try await withTaskCancellationHandler {
            try await task.value
        } onCancel: {
            task.cancel()
        }
    }

    /// Starts a connect in the background unless one is up or under way, its child spawned with `batch`'s
    /// others when this member may join a batch (see `SpawnBatch`); the operation that follows shares it.
    /// Returns the connect it started, for the caller to cancel if its operation is cancelled (as `perform`
    /// cancels a connect it starts itself).
    /// With `forOperation`, the operation about to run may hand the connect its first request (`OpeningSlot`),
    /// and the connect waits for it before it spawns.
    func startConnect(joining batch: SpawnBatch, forOperation: Bool = false) -> Task<AgentConnection, any Error>? {
        guard state != .closed, connection == nil, opening == nil else { return nil }
        let joins = (kind as? SSH).map { $0.via.isEmpty } ?? false
        if joins { batch.join() }
        var slot: OpeningSlot?
        if forOperation, Bootstrap.carriesFirstRequest(kind) {
            slot = OpeningSlot()
            openingSlot.withLockedValue { $0 = slot }
        }
        return beginOpening(batch: joins ? batch : nil, opening: slot)
    }

    /// Hands the connect under way the operation's first request (nil: none), once; a no-op when none waits.
    nonisolated func offerOpening(_ payload: [UInt8]?) {
        openingSlot.withLockedValue { slot in
            defer { slot = nil }
            return slot
        }?.offer(payload)
    }

    /// Starts a connect (`opening`, and its first attempt as `launching`); the task settles the member's state.
    private func beginOpening(batch: SpawnBatch? = nil, opening slot: OpeningSlot? = nil) -> Task<
        AgentConnection, any Error
    > {
        connection = nil
        setState(.connecting)
        let kind = self.kind
        let timeout = connectTimeout
        let stderr = self.stderr
        let password = self.password
        let shipped = shippedRoots
        let directory = directoryBox
        let start = ContinuousClock.now
        let launch = Task {
            try await AgentConnection.launch(
                kind: kind, timeout: timeout, stderr: stderr, password: password, shipped: shipped, batch: batch,
                opening: slot)
        }
        let attempt = Task { () async throws -> AgentConnection in
            var attempt = try await launch.value
            var retries: [String] = []
            var hello: AgentConnection.Hello
            while true {
                do {
                    hello = try await attempt.hello()
                    break
                } catch {
                    // A connection sshd dropped before authentication (MaxStartups): nothing ran there, so it is
                    // tried again after a jittered, growing pause, within the connect timeout.
                    let result = ErrorResult(error)
                    let left = Double(timeout) - start.duration(to: .now).seconds
                    let pause = Self.backoff(retries.count)
                    guard result.cause == .droppedBeforeAuthentication, left > pause + 0.5, !Task.isCancelled else {
                        if retries.isEmpty { throw result }
                        throw ErrorResult(
                            result.msg + " (after \(retries.count) retries)", kind: result.kind, cause: result.cause)
                    }
                    retries.append(result.msg)
                    stderr.note(
                        "chop: sshd dropped the connection before authentication (\(result.msg)); retry "
                            + "\(retries.count) in \(Int(pause * 1000)) ms")
                    try await Task.sleep(for: .milliseconds(Int(pause * 1000)))
                    attempt = try await AgentConnection.launch(
                        kind: kind, timeout: max(1, Int(left - pause)), stderr: stderr, password: password,
                        shipped: shipped)
                }
            }
            let connection = attempt
            // The agent left one behind for the next run: the master forwards a socket here to it.
            let forwarding = hello.linger.flatMap { remote in
                (kind as? SSH).map { ssh in Task { await LingeringAgent.forward(ssh, to: remote) } }
            }
            // A new agent learns at once what it may import from chop (after a reconnect too).
            let roots = shipped.withLockedValue { $0.keys.sorted() }
            if !roots.isEmpty {
                do {
                    _ = try await connection.request(
                        "ship", ["roots": .array(roots.map(JSONValue.string))], reply: Reply.Ship.self)
                } catch {
                    await connection.shutdown()
                    throw error
                }
            }
            try await Self.reenter(directory, on: connection, log: stderr)
            await forwarding?.value
            self.opened(hello, reused: connection.reused, retries: retries.count)
            return connection
        }
        let task = Task { () async throws -> AgentConnection in
            do {
                let opened = try await withTaskCancellationHandler {
                    try await attempt.value
                } onCancel: {
                    slot?.offer(nil)
                    attempt.cancel()
                }
                opening = nil
                launching = nil
                if state == .closed {
                    await opened.shutdown()
                    throw ErrorResult("tunnel closed", kind: .connection)
                }
                connection = opened
                setState(.up)
                opened.route?.whenGatewayLost { [weak self] in await self?.connectionLost(opened, $0) }
                return opened
            } catch {
                opening = nil
                launching = nil
                let result = ErrorResult(error)
                if result.kind == .interrupted {
                    if state != .closed { setState(.idle) }
                } else {
                    if state != .closed { setState(State(failure: result)) }
                    lastError = result.msg
                }
                throw result
            }
        }
        opening = task
        launching = launch
        return task
    }

    /// `dropped` ended with no operation to notice it (a leaf whose gateway was lost): the member says so now.
    private func connectionLost(_ dropped: AgentConnection, _ reason: ErrorResult) {
        guard connection === dropped, state == .up else { return }
        setState(State(failure: reason))
        lastError = reason.msg
    }

    /// Seconds to wait before retry `attempt` (0-based) of a dropped connect: 100 ms doubling up to 2 s, each
    /// between half and one and a half of that at random, so that members dropped together do not come back
    /// together.
    static func backoff(_ attempt: Int) -> Double {
        min(2.0, 0.1 * Double(1 << min(attempt, 5))) * Double.random(in: 0.5...1.5)
    }

    /// The first attempt of a connect under way, once its agent is written, when a request may follow it at
    /// once: no shipped code or directory must reach the new agent first. nil: wait for `live()`.
    private func pipelined() async -> AgentConnection? {
        guard let launching, connection == nil, newAgentNeedsNothingFirst else { return nil }
        return try? await launching.value
    }

    /// No shipped code and no working directory must reach a new agent before an operation's request.
    private nonisolated var newAgentNeedsNothingFirst: Bool {
        shippedRoots.withLockedValue { $0.isEmpty } && directoryBox.withLockedValue { $0 == nil }
    }

    private func setState(_ new: State) {
        stateBox.withLockedValue { $0 = new }
    }

    private func opened(_ hello: AgentConnection.Hello, reused: Bool, retries: Int) {
        var notes: [String] = []
        if reused { notes.append("reused master") }
        if retries > 0 { notes.append("retried \(retries)×") }
        connectNote = notes.isEmpty ? nil : notes.joined(separator: ", ")
        pythonVersion = hello.python
        interpreter = hello.executable
        factNames = hello.facts
    }

    /// Gives the password sudo asks for on the far side (kept by reference, never copied); the next connect
    /// uses it. Kinds that do not go through sudo ignore it.
    public func setPassword(_ secret: Secret?) {
        password = kind.usesSudo ? secret : nil
    }

    /// Ends the agent and its child process; the tunnel can be connected again later.
    public func disconnect() async {
        offerOpening(nil)
        let current = connection
        connection = nil
        if let opening { _ = try? await opening.value }
        await current?.shutdown()
        if let fresh = connection {
            connection = nil
            await fresh.shutdown()
        }
        if state != .closed { setState(.idle) }
    }

    /// Ends the tunnel for good: the child exits, nothing is left running, `cleanup()` of the kind runs.
    public func close() async {
        setState(.closed)
        offerOpening(nil)
        // A connection attempt in progress is cancelled, not waited out: quit never sits out a connect timeout.
        opening?.cancel()
        if let opening { _ = try? await opening.value }
        let current = connection
        connection = nil
        // ssh is hung up rather than waited for: the far agent ends all the same, a round trip sooner. Not through
        // a jump host: there the shared master then kept the dropped forwarding (and itself) alive for long.
        await current?.shutdown(hangUp: (kind as? SSH)?.via.isEmpty == true)
        await kind.cleanup()
    }

    /// Records the outcome of an operation, so `hosts` can show the last error and reconnect on demand.
    /// `offering`: the request `body` sends first, which a connect this starts (or one its operation started)
    /// may carry in ssh's command line (`OpeningRequest`).
    func perform<T: Sendable>(
        offering request: (op: String, params: [String: JSONValue])? = nil, _ body: (AgentConnection) async throws -> T
    ) async throws -> T {
        if state == .closed { throw ErrorResult("tunnel closed", kind: .connection) }
        let carried = {
            guard let request, self.newAgentNeedsNothingFirst else { return [UInt8]?.none }
            return OpeningRequest.carried(request.op, request.params)
        }
        let owned: Task<AgentConnection, any Error>?
        if connection == nil && opening == nil {
            // A connect this operation starts is its own: cancelling the operation cancels it (as with `live()`).
            let slot = Bootstrap.carriesFirstRequest(kind) ? OpeningSlot() : nil
            slot?.offer(carried())
            owned = beginOpening(opening: slot)
        } else {
            if openingSlot.withLockedValue({ $0 != nil }) { offerOpening(carried()) }
            owned = nil
        }
        return try await withTaskCancellationHandler {
            // A connect under way: the request goes right behind the agent instead of waiting for its hello.
            if let attempt = opening, let early = await pipelined() {
                do {
                    let value = try await body(early)
                    _ = try await attempt.value
                    return value
                } catch {
                    // That attempt failed before the agent ran anything: the connect's own outcome (its error,
                    // or the connection a retry opened) decides; no second connect is started for it.
                    let fresh = try await attempt.value
                    if fresh === early { return try await performed(body, on: fresh, failure: error) }
                }
            }
            return try await performed(body, on: try await live())
        } onCancel: {
            owned?.cancel()
        }
    }

    /// Runs `body` on `connection`; when it fails because the connection was lost, the member's state says why.
    private func performed<T: Sendable>(
        _ body: (AgentConnection) async throws -> T, on connection: AgentConnection, failure: (any Error)? = nil
    ) async throws -> T {
        do {
            if let failure { throw failure }
            let value = try await body(connection)
            return value
        } catch {
            let result = ErrorResult(error)
            if let lost = await connection.lostReason {
                setState(State(failure: lost))
                lastError = lost.msg
                if self.connection === connection { self.connection = nil }
                if result.kind == .interrupted { throw result }
                throw lost
            }
            if result.kind != .interrupted { lastError = result.msg }
            throw result
        }
    }

    // MARK: Operations

    /// Runs `command` with `/bin/sh -c` on the far side.
    /// With `onOutput`, the output is streamed: each piece is handed on as the command prints it (for live
    /// lines), and the result still holds it all, up to `outputCap` bytes a stream.
    public func run(
        _ command: String, stdin: Data? = nil, timeout: Double? = nil, env: [String: String]? = nil,
        cwd: String? = nil, outputCap: Int = 1 << 20, onOutput: (@Sendable (RunOutput) -> Void)? = nil
    ) async throws -> RunResult {
        var params: [String: JSONValue] = ["cmd": .string(command), "cap": .int(Int64(outputCap))]
        if let stdin { params["stdin_b64"] = .string(stdin.base64EncodedString()) }
        if let timeout { params["timeout"] = .double(timeout) }
        if let env { params["env"] = .object(env.mapValues { .string($0) }) }
        if let cwd { params["cwd"] = .string(cwd) }
        return try await runRequest("run", params, outputCap: outputCap, onOutput: onOutput)
    }

    /// A `run` or `script` request: the output streamed to `onOutput` when given, the reply read into a result.
    func runRequest(
        _ op: String, _ params: [String: JSONValue], outputCap: Int, onOutput: (@Sendable (RunOutput) -> Void)?
    ) async throws -> RunResult {
        var params = params
        var streamed: StreamedOutput?
        var onData: (@Sendable (ByteBuffer) throws -> Void)?
        if let onOutput {
            let collector = StreamedOutput(cap: outputCap)
            streamed = collector
            params["stream"] = true
            onData = { payload in
                guard let piece = collector.receive(payload.readableBytesView) else {
                    throw ErrorResult("protocol error: \(op) output without its stream byte", kind: .protocol)
                }
                onOutput(piece)
            }
        }
        let handler = onData
        // The agent's timeout is enforced here too (AgentConnection.deadlineGrace later), whatever the agent does.
        let timeout: Double? = if case .double(let seconds)? = params["timeout"] { seconds } else { nil }
        let reply = try await perform(offering: (op, params)) { connection in
            try await connection.request(op, params, reply: Reply.Run.self, onData: handler, timeout: timeout)
        }
        for piece in reply.tail ?? [] {
            guard let bytes = Data(base64Encoded: piece.b64) else {
                throw ErrorResult("protocol error: bad reply to \(op): output is not base64", kind: .protocol)
            }
            try handler?(ByteBuffer(bytes: [piece.stream] + bytes))
        }
        guard var stdout = Data(base64Encoded: reply.stdoutBase64), var stderr = Data(base64Encoded: reply.stderrBase64)
        else {
            throw ErrorResult("protocol error: bad reply to \(op): output is not base64", kind: .protocol)
        }
        var truncated = (reply.stdoutTruncated, reply.stderrTruncated)
        if let collected = streamed?.collected {
            (stdout, stderr) = (collected.stdout, collected.stderr)
            truncated = (collected.stdoutTruncated, collected.stderrTruncated)
        }
        return RunResult(
            status: reply.status, signal: reply.signal, stdout: stdout, stderr: stderr, stdoutTruncated: truncated.0,
            stderrTruncated: truncated.1, timedOut: reply.timedOut, duration: reply.duration)
    }

    /// Imports `function` by dotted name on the far side and calls it with JSON arguments.
    public func call(_ function: String, _ args: [JSONValue] = [], _ kwargs: [String: JSONValue] = [:])
        async throws -> JSONValue
    {
        let params: [String: JSONValue] = ["func": .string(function), "args": .array(args), "kwargs": .object(kwargs)]
        return try await perform { try await $0.request("call", params, reply: Reply.Call.self) }.value
    }

    /// Calls `function` with arguments written as Python literals (`"2"`, `"2**70"` is not one, `"b'x'"`,
    /// `"(1, 2)"`, `"[1, null]"`): the agent reads each with `ast.literal_eval` (then JSON), so big integers,
    /// bytes, tuples and sets arrive exactly. A word that is not a literal and does not look like one
    /// (`/etc/hosts`, `eth0`) is passed as a string; a broken literal (`[1, 2`) fails with the reason.
    public func call(_ function: String, literals: [String], keywordLiterals: [String: String] = [:])
        async throws -> JSONValue
    {
        let params: [String: JSONValue] = [
            "func": .string(function), "args_src": .array(literals.map(JSONValue.string)),
            "kwargs_src": .object(keywordLiterals.mapValues(JSONValue.string)),
        ]
        return try await perform { try await $0.request("call", params, reply: Reply.Call.self) }.value
    }

    /// Runs Python statements in a namespace that lives as long as the tunnel's agent.
    public func exec(_ source: String) async throws -> ExecResult {
        let reply = try await perform {
            try await $0.request("exec", ["source": .string(source)], reply: Reply.Exec.self)
        }
        return ExecResult(
            value: reply.value == .null ? JSONValue?.none : reply.value, repr: reply.repr, stdout: reply.stdout,
            stderr: reply.stderr)
    }

    /// Facts about the host; nil asks for all of them (see `FactName`).
    public func facts(_ names: [String]? = nil) async throws -> Facts {
        let params: [String: JSONValue] = ["names": names.map { .array($0.map(JSONValue.string)) } ?? .null]
        let reply = try await perform(offering: ("facts", params)) {
            try await $0.request("facts", params, reply: Reply.Facts.self)
        }
        return Facts(values: reply.facts, errors: reply.errors)
    }

    /// Round-trip time of a request that does nothing.
    public func ping() async throws -> PingResult {
        let start = ContinuousClock.now
        _ = try await perform(offering: ("ping", [:])) { try await $0.request("ping", reply: Reply.Ping.self) }
        let seconds = start.duration(to: .now).seconds
        lastRTT = seconds
        return PingResult(seconds: seconds)
    }

    /// Streams a local file to the host (temporary name, then renamed into place), checked by SHA-1.
    /// With no `remotePath` the agent makes a temporary file.
    /// With no `mode`, the local file's permission bits as the umask allows them (`LocalFile.copyMode`).
    public func put(_ localPath: String, _ remotePath: String? = nil, mode: Int? = nil) async throws -> PutResult {
        let source = try SharedFileSource(path: localPath)
        return try await put(from: source, as: await source.join(), remotePath, mode: mode)
    }

    /// The agent's put parameters, for a host direct or behind a gateway.
    static func putParams(_ remotePath: String?, mode: Int, size: Int) -> [String: JSONValue] {
        ["path": remotePath.map(JSONValue.string) ?? .null, "mode": .int(Int64(mode)), "size": .int(Int64(size))]
    }

    /// Sends `source` as `consumer` (joined before any chunk was read); leaves the source however it ends.
    func put(from source: SharedFileSource, as consumer: Int, _ remotePath: String?, mode: Int?) async throws
        -> PutResult
    {
        if let leaf = kind as? GatewayLeaf {
            return try await put(through: leaf, from: source, as: consumer, remotePath, mode: mode)
        }
        let mode = mode ?? source.mode
        do {
            let reply = try await perform { connection in
                try await connection.widened(toHost: true) {
                    try await put(source, as: consumer, remotePath, mode: mode, on: connection)
                }
            }
            await source.leave(consumer)
            return PutResult(
                remotePath: reply.remotePath, size: reply.size, sha1sum: reply.sha1sum, changed: reply.changed ?? true)
        } catch {
            await source.leave(consumer)
            throw error
        }
    }

    /// The put request itself, its chunks read from `source` as `consumer`.
    private nonisolated func put(
        _ source: SharedFileSource, as consumer: Int, _ remotePath: String?, mode: Int, on connection: AgentConnection
    ) async throws -> Reply.Transfer {
        try await connection.request(
            "put", Self.putParams(remotePath, mode: mode, size: source.size), reply: Reply.Transfer.self,
            body: { id, connection in
                var sent = 0
                while let chunk = try await source.next(for: consumer) {
                    try Task.checkCancellation()
                    sent += chunk.readableBytes
                    try await connection.sendData(id, .data, chunk)
                }
                let sha1 = await source.sha1 ?? ""
                let end: JSONValue = ["sha1": .string(sha1), "size": .int(Int64(sent))]
                try await connection.sendData(
                    id, .end, ByteBuffer(bytes: JSONWriter(nonFinite: .token).bytes(end)))
            })
    }

    /// Streams a remote file here, checked by SHA-1, then renames it into place with the remote file's
    /// permission bits (as the umask allows, never wider). A partial file is removed on any failure, and
    /// the local file is left as it was. With no `localPath` a temporary file is used. `folderMayBeLink: false`
    /// refuses a local folder that is a symlink (a folder chop named, such as `./fetched/HOST`).
    public func fetch(_ remotePath: String, to localPath: String? = nil, folderMayBeLink: Bool = true) async throws
        -> FetchResult
    {
        let sink = try FetchSink(localPath: localPath, folderMayBeLink: folderMayBeLink)
        do {
            let reply = try await perform { connection in
                try await connection.widened {
                    try await connection.request(
                        "fetch", ["path": .string(remotePath), "chunk": .int(Int64(LocalFile.chunkSize))],
                        reply: Reply.Transfer.self, onData: { try sink.write($0) }, paced: { await sink.drained() })
                }
            }
            let (size, sha1) = try await sink.received()
            guard reply.sha1sum == sha1, reply.size == size else {
                throw ErrorResult(
                    "checksum mismatch: received \(size) bytes with sha1 \(sha1), host sent \(reply.size) with "
                        + reply.sha1sum, kind: .protocol)
            }
            try await sink.finish(remoteMode: reply.mode)
            return FetchResult(localPath: sink.path, remotePath: reply.remotePath, size: size, sha1sum: sha1)
        } catch {
            await sink.discard()
            throw error
        }
    }
}

extension Duration {
    /// The duration in seconds, for results and tables (the shell's too: written once, here).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal, as sha1sum prints it. (Not `String(format:)`: a Foundation format a byte cost a
    /// connect through a master more than a millisecond of CPU in protocol-conformance lookups.)
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
