import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// The live state of one chop session: the group, the settings, the last result and the result sets.
///
/// Everything a command does goes through `execute(_:)`, so the terminal front end, batch mode, scripts
/// and tests all drive exactly the same code. Output goes to `ShellIO`; nothing here touches a terminal.
public actor Session {
    public internal(set) var group: Group
    public internal(set) var settings: ShellSettings
    let io: ShellIO
    /// An ssh config file (`ssh -F`) for every SSH member, and extra `-o` options.
    let sshConfigFile: String?
    let sshOptions: [String]
    /// The target set by `use`, applied when a command names none.
    public internal(set) var useTarget: String?
    /// The previous operation's report (for `last`, `show`, `failures`, `diff`, `expect`).
    public private(set) var lastReport: OperationReport?
    /// `ok`, `failed` and `outliers` of the last operation; `match` and `nomatch` of the last `where`.
    public internal(set) var sets: [String: [String]] = [:]
    /// Every operation's result, numbered (`%N`), bounded by `history-results`.
    public internal(set) var history = ResultHistory()
    var recorder: ScriptRecorder?
    /// Set by `quit`/`exit`, so a script or pipe stops there.
    public internal(set) var quitRequested = false
    var sourceDepth = 0
    /// The line being executed, as typed (trimmed): what reports and JSON objects call `command`.
    var currentLine = ""
    /// The rollout options of the line being executed (`--batch` …), laid over the settings' defaults.
    var currentRollout: Rollout?
    /// Where results put output that outgrew `keep-bytes` (`<folder>/<n>/<host>.out`); nil: nowhere, the output
    /// is cut at `keep-bytes` instead.
    public let resultsFolder: String?
    /// Background work (members connecting) that `close()` must end.
    private var backgroundTasks: [UUID: Task<Void, Never>] = [:]
    /// Members added but not yet handed to the background connector, and whether it runs.
    var connectBacklog: [Tunnel] = []
    var connectorRunning = false
    /// Members connect as soon as they are added (interactive: ready by the next command); false for a script,
    /// where the next command follows at once and its first request can go with the connect (`OpeningRequest`).
    let connectsOnAdd: Bool
    /// The facts the connected agents know (from their hello), for completion and `help facts`.
    public nonisolated let facts = FactHarvest()
    public var factNames: [String] { facts.current }
    /// The member chop added by itself at start-up (`local`), which leaves when the user adds another.
    var implicitMember: String?
    /// Whether the implicit member says so when it leaves (see `addImplicitLocal(announced:)`).
    var implicitLeaveAnnounced = true
    /// The sudo password given with `password` or `--password-fd`: the one copy, lent by reference to the
    /// tunnels that go through sudo, zeroed by `close()`.
    var sudoPassword: Secret?
    /// The variables `env` set for every `run` and `script` process.
    public internal(set) var environment = SessionEnvironment()
    /// Sudo companions of members (`run --sudo`), by member name and user, NUL-separated.
    var sudoCompanions: [String: Tunnel] = [:]
    /// The user's code shipped with `import`: every member added later gets it too.
    var shippedRoots: [ShippedRoot] = []
    /// Targets kept under a name with `name`, fixed when named, in the order they were made.
    public internal(set) var namedSets: [(name: String, hosts: [String])] = []
    /// Groups and hosts read by `inventory` / `chop -i`; `add @GROUP` adds a group's hosts.
    public internal(set) var inventory = Inventory()
    /// Group names for Tab after `@` and `add @`.
    public var inventoryGroupNames: [String] { inventory.groupNames }

    public init(
        settings: ShellSettings = ShellSettings(), io: ShellIO, sshConfigFile: String? = nil, sshOptions: [String] = [],
        resultsFolder: String? = nil, sudoPassword: Secret? = nil, connectsOnAdd: Bool = true
    ) {
        self.connectsOnAdd = connectsOnAdd
        self.sudoPassword = sudoPassword
        self.resultsFolder = resultsFolder
        self.settings = settings
        self.io = io
        self.sshConfigFile = sshConfigFile
        self.sshOptions = sshOptions
        self.group = Group.empty(fanout: settings.fanout)
    }

    /// Member names in group order (for completion and the prompt).
    public var memberNames: [String] { group.names }

    /// Numbers of the kept results (for completing `%N`).
    public var resultNumbers: [Int] { history.entries.map(\.number) }

    /// Runs one command line. Never throws: every problem becomes a one-line error and the session goes on.
    @discardableResult
    public func execute(_ line: String) async -> CommandResult {
        let parsed: ParsedLine?
        do {
            parsed = try CommandParser.parse(line)
        } catch {
            io.error("chop: \(error.message)")
            return .error
        }
        guard let parsed else { return .ok }
        // As chop repeats it (JSON's "command", a recording): a secret's value is never in it.
        currentLine = parsed.command.shownLine(line.trimmingCharacters(in: .whitespacesAndNewlines))
        currentRollout = parsed.rollout
        defer { currentRollout = nil }
        let result: CommandResult
        do {
            result = try await parsed.command.run(in: self, target: parsed.target)
        } catch is DryRun {
            result = .ok
        } catch let error as ShellError {
            io.error("chop: \(error.message)")
            result = .error
        } catch {
            io.error("chop: \(error)")
            result = .error
        }
        // Recorded once it ran, and only if it was a valid command (a line refused with an error would stop a
        // replay); hosts that failed do not make the line invalid. A line typed with a leading space is not
        // recorded, as bash's ignorespace keeps it out of history.
        if let recorder, result != .error, type(of: parsed.command).declaration.recorded, !line.hasPrefix(" ") {
            let typed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            recorder.record(currentLine == typed ? line : "# \(currentLine)  # \(Self.secretNote)")
        }
        return result
    }

    /// Written after a line whose secret values a recording leaves out.
    static let secretNote = "secret values are not recorded: set them again"

    /// Whether the line sets a secret (`env API_TOKEN=…`), so the line editor keeps it out of history.
    public static func setsSecret(_ line: String) -> Bool {
        guard let parsed = try? CommandParser.parse(line) else { return false }
        let typed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        return parsed.command.shownLine(typed) != typed
    }

    // MARK: Targets

    /// Whether the line being executed works in waves (its options or the `batch`/`max-fail` settings).
    var rolling: Bool { (currentRollout ?? Rollout()).over(defaults: settings).isActive }

    /// `@up`, `@down`, … with their members now, in group order, from one pass over the members.
    func membersByState() -> [String: [String]] {
        var sets = Dictionary(uniqueKeysWithValues: MemberState.targets.map { ($0, [String]()) })
        for tunnel in group.tunnels {
            if let set = MemberState.target(tunnel.state) { sets[set, default: []].append(tunnel.name) }
        }
        return sets
    }

    /// `@via:GW`: the leaves pinned to each gateway now.
    func membersByGateway() -> [String: [String]] {
        var sets: [String: [String]] = [:]
        for tunnel in group.tunnels {
            if let leaf = tunnel.kind as? GatewayLeaf {
                sets["via:" + leaf.gateway.name, default: []].append(tunnel.name)
            }
        }
        return sets
    }

    func resolver() -> TargetResolver {
        var all = sets
        for named in namedSets { all[named.name] = named.hosts }
        // Inventory groups (`@webservers`): the group's hosts that are members; chop's own sets win a name.
        for (name, hosts) in inventory.expanded where all[name] == nil { all[name] = hosts }
        all.merge(membersByState()) { _, state in state }
        all.merge(membersByGateway()) { _, via in via }
        for entry in history.entries {
            for (name, hosts) in entry.sets { all["%\(entry.number).\(name)"] = hosts }
        }
        return TargetResolver(members: group.names, sets: all)
    }

    /// The member names a command acts on: its own `@target`, else the `use` target, else everyone.
    func resolve(_ target: String?) throws(ShellError) -> [String] {
        guard let text = target ?? useTarget else {
            if group.isEmpty { throw ShellError("no hosts yet: add some with 'add HOST' (or 'add local')") }
            return group.names
        }
        return try resolveNonEmpty(text)
    }

    func resolveNonEmpty(_ text: String) throws(ShellError) -> [String] {
        let names = try resolver().resolve(text)
        if names.isEmpty {
            throw ShellError("'@\(text.hasPrefix("@") ? String(text.dropFirst()) : text)' selects no host")
        }
        return names
    }

    // MARK: Operations

    /// Runs `body` on each targeted member in parallel, with live progress, then shows the report.
    /// `verb` names the operation on the progress line; the report records the line as typed.
    func operate<Value: OperationValue>(
        _ verb: String, target: String?, names: [String]? = nil, streamed: Bool = false,
        plan: ((String) -> String)? = nil, previewOnDryRun: Bool = true,
        _ body: @escaping @Sendable (Tunnel) async throws -> Value, describe: @escaping (String, Value) -> HostOutcome
    ) async throws -> CommandResult {
        let (report, _) = try await collect(
            verb, target: target, names: names, streamed: streamed, plan: plan, previewOnDryRun: previewOnDryRun,
            body, describe: describe)
        await present(report)
        return report.outcomes.contains { !$0.succeeded } ? .hostsFailed : .ok
    }

    /// `operate` up to the report, not yet shown: for commands that add to it (`where`'s sets) or may refuse it.
    /// `previewOnDryRun: false` runs the operation under `set dry-run on` (a sync that compares, touching nothing).
    func collect<Value: OperationValue>(
        _ verb: String, target: String?, names: [String]? = nil, streamed: Bool = false,
        plan: ((String) -> String)? = nil, previewOnDryRun: Bool = true,
        _ body: @escaping @Sendable (Tunnel) async throws -> Value,
        describe: @escaping (String, Value) -> HostOutcome
    ) async throws -> (OperationReport, GroupResult<Value>) {
        let chosen = try names ?? resolve(target)
        let rollout = (currentRollout ?? Rollout()).over(defaults: settings)
        if settings.dryRun && previewOnDryRun {
            showDryRun(verb, chosen, rollout: rollout, plan: plan)
            throw DryRun()
        }
        let tracker = ProgressTracker(total: chosen.count)
        let start = ContinuousClock.now
        let ticker = startTicker(verb: verb, tracker: tracker, start: start)
        var entries: [GroupResult<Value>.Entry] = []
        var skipped: [String] = []
        var stopped: String?
        var failures = 0
        for (index, wave) in rollout.waves(chosen).enumerated() {
            stopped = await rollout.reasonToStop(
                beforeWave: index, of: chosen.count, failures: failures, done: entries, io: io)
            if stopped != nil {
                skipped = Array(chosen.dropFirst(entries.count))
                break
            }
            var members = group.subset(wave)
            members.fanout = settings.fanout
            let result = await members.each(
                started: { tracker.started($0) },
                progress: { host, outcome in
                    let failed: Bool
                    switch outcome {
                    case .success(let value): failed = value.isFailure
                    case .failure: failed = true
                    }
                    tracker.finished(host, failed: failed, at: start.duration(to: .now).seconds)
                }, body)
            entries += result.entries
            failures += result.failures().count
        }
        ticker?.cancel()
        await ticker?.value  // so it can never redraw after the result
        io.progress?(nil)
        await facts.harvest(from: group.subset(chosen).tunnels)
        let result = GroupResult(entries)
        var outcomes = HostOutcome.from(result, seconds: tracker.seconds, describe: describe)
        outcomes += skipped.map { HostOutcome(host: $0, state: .skipped, reason: stopped) }
        // In member order, as a report without waves would be.
        let order = Dictionary(uniqueKeysWithValues: chosen.enumerated().map { ($1, $0) })
        outcomes.sort { (order[$0.host] ?? 0) < (order[$1.host] ?? 0) }
        let report = OperationReport(
            operation: currentLine, outcomes: outcomes, elapsed: start.duration(to: .now).seconds,
            interrupted: Task.isCancelled, streamedOutput: streamed)
        return (report, result)
    }

    /// `set dry-run on`: what the operation would do, host by host, without touching any.
    private func showDryRun(_ verb: String, _ hosts: [String], rollout: Rollout, plan: ((String) -> String)?) {
        io.print(
            "dry run: \(currentLine) → \(counted(hosts.count, "host")): \(NodeSet.fold(hosts))"
                + rollout.dryRunNote(hosts))
        guard let plan else { return }
        var lines: [String: [String]] = [:]
        var order: [String] = []
        for host in hosts {
            let line = plan(host)
            if lines[line] == nil { order.append(line) }
            lines[line, default: []].append(host)
        }
        for line in order {
            io.print("  \(NodeSet.fold(lines[line] ?? [])): \(TerminalText.sanitize(line))")
        }
    }

    private func startTicker(verb: String, tracker: ProgressTracker, start: ContinuousClock.Instant) -> Task<
        Void, Never
    >? {
        guard let progress = io.progress else { return nil }
        let renderer = renderer()
        return Task.detached {
            // Bounded by the operation: cancelled as soon as it returns.
            while !Task.isCancelled {
                let (done, failed) = tracker.counts
                progress(
                    renderer.progress(
                        operation: verb, done: done, total: tracker.total, failed: failed,
                        elapsed: start.duration(to: .now).seconds, running: tracker.running))
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Prints a report in the chosen output mode and makes it the new `last` with its `@ok`/`@failed` sets.
    func present(_ report: OperationReport, remember: Bool = true) async {
        var report = report
        // Gathered once: for @outliers and for the block view.
        let gathered = ResultRenderer.gather(report, mode: settings.gather)
        if remember {
            let outliers = ResultRenderer.outliers(report, gathered: gathered)
            let failed = Set(report.failedHosts)
            report.outliers = outliers.filter { !failed.contains($0) }
            var own: [String: [String]] = [
                ResultSet.ok.rawValue: report.outcomes.filter(\.succeeded).map(\.host),
                ResultSet.failed.rawValue: report.failedHosts, ResultSet.outliers.rawValue: outliers,
                ResultSet.skipped.rawValue: report.skippedHosts,
                ResultSet.changed.rawValue: report.outcomes.filter { $0.state == .changed }.map(\.host),
                ResultSet.unchanged.rawValue: report.outcomes.filter { $0.state == .ok }.map(\.host),
            ]
            // `where` adds @match and @nomatch; they stay (as the last where's) until the next where.
            if let match = report.match {
                (own[ResultSet.match.rawValue], own[ResultSet.nomatch.rawValue]) = (match.matching, match.notMatching)
            }
            let kept = ResultSet.whereOnly.map(\.rawValue)
            sets = own.merging(sets.filter { kept.contains($0.key) }) { mine, _ in mine }
            history.capacity = settings.historyResults
            let (number, dropped) = history.append(report, sets: own)
            report.number = number
            lastReport = report
            // Saved before older spill files go, and before it is shown: an interrupted view loses nothing.
            if let folder = settings.saveDir {
                do {
                    try ResultFiles.save(report, to: "\(Self.expandTilde(folder))/\(number)", renderer: renderer())
                } catch {
                    io.error("chop: save-dir: \(error.message)")
                }
            }
            for old in dropped { removeSpill(old) }
        }
        let renderer = renderer()
        var mode = settings.output
        if mode == .auto { mode = ResultRenderer.fitsOnOneLine(report) ? .table : .blocks }
        switch mode {
        case .auto, .table:
            for line in renderer.table(report) { io.print(line) }
            io.print(renderer.summary(report))
        case .blocks:
            await page(renderer.blocks(report, gathered: gathered, maxLines: settings.maxLines))
            io.print(renderer.summary(report))
        case .lines:
            for line in renderer.lines(report) { io.print(line) }
            io.error(renderer.summary(report))
        case .json:
            io.print(renderer.json(report))
        }
    }

    func renderer() -> ResultRenderer {
        ResultRenderer(
            color: usesColor, width: max(40, io.width()), gather: settings.gather != .off,
            similar: settings.gather == .similar)
    }

    /// Whether output (and the prompt) is coloured now: the `color` setting, `auto` meaning a terminal.
    public var usesColor: Bool {
        switch settings.color {
        case .auto: io.colorByDefault
        case .on: true
        case .off: false
        }
    }

    /// The result `%N` names, or the last one when `number` is nil.
    func report(_ number: Int?) throws(ShellError) -> OperationReport {
        guard let number else { return try requireReport() }
        guard let entry = history.entry(number) else {
            let kept = history.entries.first.map { " (kept: %\($0.number) to %\(history.entries.last!.number))" } ?? ""
            throw ShellError("no result %\(number)\(kept); 'results' lists them")
        }
        return entry.report
    }

    func outcome(for host: String, in number: Int? = nil) throws(ShellError) -> HostOutcome {
        let lastReport = try report(number)
        guard let outcome = lastReport.outcomes.first(where: { $0.host == host }) else {
            let which = number.map { "result %\($0)" } ?? "the last operation"
            throw ShellError("'\(host)' was not part of \(which) (\(lastReport.operation))")
        }
        return outcome
    }

    /// The last report, or the error that says there is none yet.
    func requireReport() throws(ShellError) -> OperationReport {
        guard let lastReport else { throw ShellError("no result yet: run an operation first, e.g. run uptime") }
        return lastReport
    }

    /// Prints one JSON object (for `--json`): `command` is the line as typed, then the given members.
    func emit(_ members: [String: JSONValue]) {
        var object = members
        object["command"] = .string(currentLine)
        io.print(JSONValue.object(object).jsonText)
    }

    /// Prints lines for a person, through the pager when they are taller than the terminal (`set pager`).
    func page(_ lines: [String]) async {
        if settings.pager, let page = io.page, await page(lines) { return }
        for line in lines { io.print(line) }
    }

    /// Prints a line of text for a person: on stdout, except in JSON mode, where stdout holds JSON only.
    func say(_ line: String) {
        if settings.output == .json { io.error(line) } else { io.print(line) }
    }

    static func expandTilde(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }

    /// Ends every tunnel (and throwaway container); nothing is left running.
    public func close() async {
        recorder?.close()
        recorder = nil
        // Background connects end first, so none can outlive the session or reopen a tunnel.
        for task in backgroundTasks.values { task.cancel() }
        for task in backgroundTasks.values { await task.value }
        backgroundTasks.removeAll()
        await group.close()
        for companion in sudoCompanions.values { await companion.close() }
        sudoCompanions.removeAll()
        sudoPassword?.wipe()
        sudoPassword = nil
        if let resultsFolder { try? FileManager.default.removeItem(atPath: resultsFolder) }
    }

    /// The spill folder for the result that is about to be made, when there is one.
    func spillFolderForNextResult() -> String? {
        resultsFolder.map { "\($0)/\(history.nextNumber)" }
    }

    /// Removes result `number`'s spilled output (it left the history).
    func removeSpill(_ number: Int) {
        guard let resultsFolder else { return }
        try? FileManager.default.removeItem(atPath: "\(resultsFolder)/\(number)")
    }

    /// Runs `work` in the background, kept until it ends so `close()` can end it.
    func background(_ work: @escaping @Sendable () async -> Void) {
        let id = UUID()
        backgroundTasks[id] = Task {
            await work()
            self.finishedBackground(id)
        }
    }

    private func finishedBackground(_ id: UUID) {
        backgroundTasks[id] = nil
    }
}

/// Thrown by an operation under `set dry-run on` once it has shown what it would do: the line ends there, as
/// a success, and no host was touched.
struct DryRun: Error {}
