import Foundation

/// A set of tunnels acted on together: every operation runs on all members in parallel (at most `fanout`
/// at a time) and returns a `GroupResult` in member order.
///
/// A group is a value: copies share the same live tunnels, so set operations (`union`, `intersection`, …)
/// make narrower or wider groups over connections that stay open.
public struct Group: Sendable {
    /// Members in order; names are unique.
    public private(set) var tunnels: [Tunnel]
    /// How many hosts are worked on at once.
    public var fanout: Int

    /// Default fan-out: enough to hide latency, few enough to not exhaust file descriptors or sshd's
    /// MaxStartups on the far side.
    public static let defaultFanout = 64

    /// A group of tunnels. Duplicate names are refused.
    public init(_ tunnels: [Tunnel] = [], fanout: Int = Group.defaultFanout) throws(InvalidTunnel) {
        self.tunnels = []
        self.fanout = max(1, fanout)
        for tunnel in tunnels { try add(tunnel) }
    }

    /// A group from host names (SSH) and tunnel kinds, as chopsticks' `Group([...])`.
    public init(hosts: [String], kinds: [any TunnelKind] = [], fanout: Int = Group.defaultFanout) throws(InvalidTunnel)
    {
        var members: [Tunnel] = []
        for host in hosts { members.append(Tunnel(try SSH(parsing: host))) }
        members += kinds.map { Tunnel($0) }
        try self.init(members, fanout: fanout)
    }

    /// A group from host names, tunnel kinds and tunnels mixed in one list, in that order, as chopsticks'
    /// `Group(["web1.example.com", Docker("example"), Local("worker")])`. Duplicate names are refused.
    public init(_ members: [any GroupMember], fanout: Int = Group.defaultFanout) throws(InvalidTunnel) {
        var tunnels: [Tunnel] = []
        for member in members { tunnels.append(try member.groupTunnel()) }
        try self.init(tunnels, fanout: fanout)
    }

    /// A group with no members yet (it cannot fail, unlike the initialisers that check names).
    public static func empty(fanout: Int = Group.defaultFanout) -> Group {
        Group(members: [], fanout: max(1, fanout))
    }

    private init(members: [Tunnel], fanout: Int) {
        self.tunnels = members
        self.fanout = fanout
    }

    public var names: [String] { tunnels.map(\.name) }
    public var count: Int { tunnels.count }
    public var isEmpty: Bool { tunnels.isEmpty }

    public subscript(name: String) -> Tunnel? { tunnels.first { $0.name == name } }

    /// Adds a member while the group is open. Refuses a name already in the group.
    public mutating func add(_ tunnel: Tunnel) throws(InvalidTunnel) {
        if self[tunnel.name] != nil { throw InvalidTunnel("'\(tunnel.name)' is already in the group") }
        tunnels.append(tunnel)
    }

    /// Removes members by name and returns them (the caller decides whether to close them).
    @discardableResult
    public mutating func remove(_ names: some Sequence<String>) -> [Tunnel] {
        let drop = Set(names)
        let removed = tunnels.filter { drop.contains($0.name) }
        tunnels.removeAll { drop.contains($0.name) }
        return removed
    }

    /// The members whose names are in `names`, in group order.
    public func subset(_ names: some Sequence<String>) -> Group {
        let keep = Set(names)
        return Group(members: tunnels.filter { keep.contains($0.name) }, fanout: fanout)
    }

    // MARK: Set operations (chopsticks' SetOps)

    public func union(_ other: Group) -> Group {
        Group(members: SetOps.union(tunnels, other.tunnels, by: \.name), fanout: fanout)
    }

    public func intersection(_ other: Group) -> Group {
        Group(members: SetOps.intersection(tunnels, other.tunnels, by: \.name), fanout: fanout)
    }

    public func subtracting(_ other: Group) -> Group {
        Group(members: SetOps.subtracting(tunnels, other.tunnels, by: \.name), fanout: fanout)
    }

    public func symmetricDifference(_ other: Group) -> Group {
        Group(members: SetOps.symmetricDifference(tunnels, other.tunnels, by: \.name), fanout: fanout)
    }

    public static func | (lhs: Group, rhs: Group) -> Group { lhs.union(rhs) }
    public static func & (lhs: Group, rhs: Group) -> Group { lhs.intersection(rhs) }
    public static func - (lhs: Group, rhs: Group) -> Group { lhs.subtracting(rhs) }
    public static func ^ (lhs: Group, rhs: Group) -> Group { lhs.symmetricDifference(rhs) }

    // MARK: Operations

    /// Runs `body` on every member, at most `fanout` at once; `progress` hears of each host as it finishes.
    /// Cancelling the calling task interrupts hosts still working: they get an "interrupted" ErrorResult.
    /// `started` hears of each host as its work begins (a host waits for a place when the fan-out is full).
    public func each<Value: OperationValue>(
        started: (@Sendable (String) -> Void)? = nil,
        progress: (@Sendable (String, Result<Value, ErrorResult>) -> Void)? = nil,
        _ body: @escaping @Sendable (Tunnel) async throws -> Value
    ) async -> GroupResult<Value> {
        var results = [Result<Value, ErrorResult>?](repeating: nil, count: tunnels.count)
        // The connects this operation starts are its own: cancelling it (Ctrl-C, quit) cancels them.
        let connects = await startConnects(forOperation: true)
        await withTaskCancellationHandler {
            await withTaskGroup(of: (Int, Result<Value, ErrorResult>).self) { group in
                var next = 0
                func startNext() {
                    guard next < tunnels.count else { return }
                    let index = next
                    let tunnel = tunnels[index]
                    next += 1
                    group.addTask {
                        if Task.isCancelled { return (index, .failure(ErrorResult("interrupted", kind: .interrupted))) }
                        started?(tunnel.name)
                        // A body that never asked for its connection leaves the connect nothing to wait for.
                        defer { tunnel.offerOpening(nil) }
                        do {
                            return (index, .success(try await body(tunnel)))
                        } catch {
                            return (index, .failure(ErrorResult(error)))
                        }
                    }
                }
                for _ in 0..<min(fanout, tunnels.count) { startNext() }
                while let (index, result) = await group.next() {
                    results[index] = result
                    progress?(tunnels[index].name, result)
                    startNext()
                }
            }
        } onCancel: {
            for connect in connects { connect.cancel() }
        }
        return GroupResult(
            zip(tunnels, results).map { tunnel, result in
                GroupResult.Entry(
                    host: tunnel.name, result: result ?? .failure(ErrorResult("interrupted", kind: .interrupted)))
            })
    }

    /// Starts the connects of the first `fanout` members that are not up, their ssh spawned together (see
    /// `SpawnBatch`); the operation's own calls then share each attempt. Up members cost no actor hop here.
    /// `forOperation`: an operation follows on each member at once, whose first request its connect may carry
    /// (`OpeningSlot`; not for `preconnect`, whose operation comes after local work).
    @discardableResult
    func startConnects(forOperation: Bool = false) async -> [Task<AgentConnection, any Error>] {
        let batch = SpawnBatch()
        var started: [Task<AgentConnection, any Error>] = []
        for tunnel in tunnels.prefix(fanout) where tunnel.state != .up {
            if let connect = await tunnel.startConnect(joining: batch, forOperation: forOperation) {
                started.append(connect)
            }
        }
        batch.seal()
        return started
    }

    /// Opens every tunnel now, in parallel. Hosts that fail are ErrorResults; they are retried later.
    public func connect() async -> GroupResult<PingResult> {
        await each { tunnel in
            let start = ContinuousClock.now
            try await tunnel.connect()
            return PingResult(seconds: start.duration(to: .now).seconds)
        }
    }

    public func run(
        _ command: String, stdin: Data? = nil, timeout: Double? = nil, env: [String: String]? = nil, cwd: String? = nil
    ) async -> GroupResult<RunResult> {
        await each { try await $0.run(command, stdin: stdin, timeout: timeout, env: env, cwd: cwd) }
    }

    public func call(_ function: String, _ args: [JSONValue] = [], _ kwargs: [String: JSONValue] = [:]) async
        -> GroupResult<JSONValue>
    {
        await each { try await $0.call(function, args, kwargs) }
    }

    /// Calls `function` with arguments written as Python literals, read exactly on each host
    /// (see `Tunnel.call(_:literals:keywordLiterals:)`): `group.call("builtins.pow", literals: ["2", "70"])`.
    public func call(_ function: String, literals: [String], keywordLiterals: [String: String] = [:]) async
        -> GroupResult<JSONValue>
    {
        await each { try await $0.call(function, literals: literals, keywordLiterals: keywordLiterals) }
    }

    public func exec(_ source: String) async -> GroupResult<ExecResult> {
        await each { try await $0.exec(source) }
    }

    public func facts(_ names: [String]? = nil) async -> GroupResult<Facts> {
        await each { try await $0.facts(names) }
    }

    public func ping() async -> GroupResult<PingResult> {
        await each { try await $0.ping() }
    }

    /// With no `mode`, the local file's permission bits as the umask allows them (`LocalFile.copyMode`).
    public func put(_ localPath: String, _ remotePath: String? = nil, mode: Int? = nil) async -> GroupResult<PutResult>
    {
        await each(
            preparing: {
                try await PutPlan.prepare(localPath, remotePath, mode: mode, hosts: names, fanout: fanout)
            }, { plan, tunnel in try await plan.put(on: tunnel) })
    }

    /// `body` on every host with what `prepare` made once for them all (a plan: a file read once, a tree
    /// listed once); when the preparation fails, its error is every host's result and no host is touched.
    func each<Plan: Sendable, Value: OperationValue>(
        preparing prepare: () async throws -> Plan, _ body: @escaping @Sendable (Plan, Tunnel) async throws -> Value
    ) async -> GroupResult<Value> {
        let plan: Plan
        do {
            plan = try await prepare()
        } catch {
            return GroupResult(names.map { GroupResult.Entry(host: $0, result: .failure(ErrorResult(error))) })
        }
        return await each { try await body(plan, $0) }
    }

    /// Fetches `remotePath` from every host. `localTemplate` names each host's file with `{host}`
    /// (`"fetched/{host}/passwd"`); without it, temporary files are used.
    public func fetch(_ remotePath: String, to localTemplate: String? = nil) async -> GroupResult<FetchResult> {
        let paths: [String: String]
        do {
            paths = try HostTemplate.paths(localTemplate, hosts: names)
        } catch {
            return GroupResult(names.map { GroupResult.Entry(host: $0, result: .failure(ErrorResult(error))) })
        }
        return await each { tunnel in try await tunnel.fetch(remotePath, to: paths[tunnel.name]) }
    }

    /// Closes every member in parallel: no child process is left behind.
    public func close() async {
        await withTaskGroup(of: Void.self) { group in
            for tunnel in tunnels { group.addTask { await tunnel.close() } }
        }
    }
}
