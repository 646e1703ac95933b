import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// What a command line came to: the batch runner turns this into chop's exit status.
public enum CommandResult: Sendable, Equatable {
    /// Done, and every host succeeded (or there were no hosts involved).
    case ok
    /// The operation ran, and some host failed or errored.
    case hostsFailed
    /// The line was wrong (usage, unknown command, bad target) or a script check failed.
    case error
    /// The user asked to end the session.
    case quit
}

/// The live state of one chop session: the group, the settings, the last result and the result sets.
///
/// Everything a command does goes through `execute(_:)`, so the terminal front end, batch mode, scripts
/// and tests all drive exactly the same code. Output goes to `ShellIO`; nothing here touches a terminal.
public actor Session {
    public internal(set) var group: Group
    public private(set) var settings: ShellSettings
    let io: ShellIO
    /// An ssh config file (`ssh -F`) for every SSH member, and extra `-o` options.
    let sshConfigFile: String?
    let sshOptions: [String]
    /// The target set by `use`, applied when a command names none.
    public private(set) var useTarget: String?
    /// The previous operation's report (for `last`, `show`, `failures`, `diff`, `expect`).
    public private(set) var lastReport: OperationReport?
    /// `ok` and `failed` after each operation.
    public internal(set) var sets: [String: [String]] = [:]
    var recorder: ScriptRecorder?
    /// Set by `quit`/`exit`, so a script or pipe stops there.
    public internal(set) var quitRequested = false
    var sourceDepth = 0
    /// The line being executed, as typed (trimmed): what reports and JSON objects call `command`.
    var currentLine = ""
    /// The member chop added by itself at start-up (`local`), which leaves when the user adds another.
    var implicitMember: String?

    public init(
        settings: ShellSettings = ShellSettings(), io: ShellIO, sshConfigFile: String? = nil, sshOptions: [String] = []
    ) {
        self.settings = settings
        self.io = io
        self.sshConfigFile = sshConfigFile
        self.sshOptions = sshOptions
        self.group = Group.empty(fanout: settings.fanout)
    }

    /// Member names in group order (for completion and the prompt).
    public var memberNames: [String] { group.names }

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
        currentLine = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if let recorder, !parsed.command.isSessionControl {
            recorder.record(line)
        }
        do {
            return try await perform(parsed)
        } catch let error as ShellError {
            io.error("chop: \(error.message)")
            return .error
        } catch {
            io.error("chop: \(error)")
            return .error
        }
    }

    private func perform(_ parsed: ParsedLine) async throws -> CommandResult {
        let target = parsed.target
        switch parsed.command {
        case .add(let hosts, let python): return try await addSSH(hosts, python: python)
        case .addLocal(let name, let python): return try await addLocal(name, python: python)
        case .addSudo(let user, let name, let python): return try await addSudo(user: user, name: name, python: python)
        case .addDocker(let names, let image, let python):
            return try await addDocker(names, image: image, python: python)
        case .addContainer(let names, let python): return try await addContainers(names, python: python)
        case .remove(let targets): return try await remove(targets)
        case .hosts: return try await hosts(target)
        case .connect(let targets): return try await connect(targets, target: target, fresh: false)
        case .reconnect(let targets): return try await connect(targets, target: target, fresh: true)
        case .disconnect(let targets): return try await disconnect(targets, target: target)
        case .run(let command):
            let timeout = settings.timeout
            return try await operate(
                "run", target: target,
                { tunnel in
                    try await tunnel.run(command, timeout: timeout)
                }, describe: HostOutcome.run)
        case .call(let function, let args, let kwargs):
            return try await operate(
                "call", target: target,
                { tunnel in
                    try await tunnel.call(function, literals: args, keywordLiterals: kwargs)
                }, describe: HostOutcome.json)
        case .py(let code):
            return try await operate("py", target: target, { try await $0.exec(code) }, describe: HostOutcome.exec)
        case .facts(let names):
            let requested = names.isEmpty ? nil : names
            return try await operate(
                "facts", target: target,
                { tunnel in
                    try await tunnel.facts(requested)
                }, describe: { HostOutcome.facts($0, $1, names: names) })
        case .put(let local, let remote, let mode):
            let path = Self.expandTilde(local)
            guard FileManager.default.fileExists(atPath: path) else {
                throw ShellError("local file not found: \(local)")
            }
            return try await operate(
                "put", target: target,
                { tunnel in
                    try await tunnel.put(path, remote, mode: mode ?? 0o644)
                }, describe: HostOutcome.put)
        case .fetch(let remote, let template):
            let base = (remote as NSString).lastPathComponent
            let pattern = Self.expandTilde(template ?? "./fetched/{host}/\(base.isEmpty ? "file" : base)")
            let names = try resolve(target)
            let paths = try FetchTemplate.paths(pattern, hosts: names)
            return try await operate(
                "fetch", target: target,
                { tunnel in
                    try await tunnel.fetch(remote, to: paths[tunnel.name])
                }, describe: HostOutcome.fetch)
        case .ping:
            return try await operate("ping", target: target, { try await $0.ping() }, describe: HostOutcome.ping)
        case .use(let text):
            if text == "all" {
                useTarget = nil
            } else {
                _ = try resolveNonEmpty(text)
                useTarget = text
            }
            return .ok
        case .last:
            guard let lastReport else { throw ShellError("no result yet: run an operation first, e.g. run uptime") }
            present(lastReport, remember: false)
            return lastReport.outcomes.contains(where: \.isFailure) ? .hostsFailed : .ok
        case .failures:
            guard let lastReport else { throw ShellError("no result yet: run an operation first, e.g. run uptime") }
            let failed = lastReport.outcomes.filter(\.isFailure)
            if settings.output == .json {
                emit(["hosts": .array(failed.map(ResultRenderer.jsonObject)), "of": .string(lastReport.operation)])
            } else if failed.isEmpty {
                io.print("no failures in the last operation (\(lastReport.operation))")
            } else {
                for line in renderer().failures(lastReport) { io.print(line) }
            }
            return .ok
        case .log(let targets):
            let names = targets.isEmpty ? try resolve(nil) : try resolver().resolve(targets)
            var messages: [JSONValue] = []
            for tunnel in group.subset(names).tunnels {
                for line in tunnel.stderr.lines {
                    messages.append(["host": .string(tunnel.name), "line": .string(line)])
                    if settings.output != .json {
                        io.print("\(TerminalText.sanitize(tunnel.name)): \(TerminalText.sanitize(line))")
                    }
                }
            }
            if settings.output == .json {
                emit(["messages": .array(messages)])
            } else if messages.isEmpty {
                io.print("no messages from the tunnels of \(NodeSet.fold(names))")
            }
            return .ok
        case .show(let host):
            let outcome = try outcome(for: host)
            if settings.output == .json {
                emit(["host": ResultRenderer.jsonObject(outcome), "of": .string(lastReport?.operation ?? "")])
            } else {
                for line in renderer().show(outcome) { io.print(line) }
            }
            return .ok
        case .diff(let first, let second): return try diff(first, second)
        case .set(let key, let value): return try set(key, value)
        case .local(let command):
            let status = await LocalCommand.run(command, stdoutToStderr: settings.output == .json)
            return status == 0 ? .ok : .hostsFailed
        case .source(let path): return await source(path)
        case .record(let path): return try record(path)
        case .expect(let condition): return try expect(condition)
        case .help(let command):
            if let command {
                guard let text = CommandHelp.help(for: command) else {
                    throw ShellError("no command named '\(command)'; 'help' lists them")
                }
                for line in text.split(separator: "\n", omittingEmptySubsequences: false) { say(String(line)) }
            } else {
                for line in CommandHelp.summary().split(separator: "\n", omittingEmptySubsequences: false) {
                    say(String(line))
                }
            }
            return .ok
        case .quit:
            quitRequested = true
            return .quit
        }
    }

    // MARK: Targets

    func resolver() -> TargetResolver { TargetResolver(members: group.names, sets: sets) }

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
        _ verb: String, target: String?, names: [String]? = nil,
        _ body: @escaping @Sendable (Tunnel) async throws -> Value, describe: @escaping (String, Value) -> HostOutcome
    ) async throws -> CommandResult {
        var members = group.subset(try names ?? resolve(target))
        members.fanout = settings.fanout
        let tracker = ProgressTracker(total: members.count)
        let start = ContinuousClock.now
        let ticker = startTicker(verb: verb, tracker: tracker, start: start)
        let result = await members.each(
            progress: { host, outcome in
                let failed: Bool
                switch outcome {
                case .success(let value): failed = value.isFailure
                case .failure: failed = true
                }
                tracker.finished(host, failed: failed, at: start.duration(to: .now).seconds)
            }, body)
        ticker?.cancel()
        io.progress?(nil)
        let report = OperationReport(
            operation: currentLine, outcomes: HostOutcome.from(result, seconds: tracker.seconds, describe: describe),
            elapsed: start.duration(to: .now).seconds, interrupted: Task.isCancelled)
        present(report)
        return report.outcomes.contains(where: \.isFailure) ? .hostsFailed : .ok
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
                        elapsed: start.duration(to: .now).seconds))
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Prints a report in the chosen output mode and makes it the new `last` with its `@ok`/`@failed` sets.
    func present(_ report: OperationReport, remember: Bool = true) {
        if remember {
            lastReport = report
            sets = ["ok": report.outcomes.filter { !$0.isFailure }.map(\.host), "failed": report.failedHosts]
        }
        let renderer = renderer()
        switch settings.output {
        case .table:
            for line in renderer.table(report) { io.print(line) }
            io.print(renderer.summary(report))
        case .lines:
            for line in renderer.lines(report) { io.print(line) }
            io.error(renderer.summary(report))
        case .json:
            io.print(renderer.json(report))
        }
    }

    func renderer() -> ResultRenderer {
        ResultRenderer(color: usesColor, width: max(40, io.width()), gather: settings.gather)
    }

    /// Whether output (and the prompt) is coloured now: the `color` setting, `auto` meaning a terminal.
    public var usesColor: Bool {
        switch settings.color {
        case .auto: io.colorByDefault
        case .on: true
        case .off: false
        }
    }

    func outcome(for host: String) throws(ShellError) -> HostOutcome {
        guard let lastReport else { throw ShellError("no result yet: run an operation first, e.g. run uptime") }
        guard let outcome = lastReport.outcomes.first(where: { $0.host == host }) else {
            throw ShellError("'\(host)' was not part of the last operation (\(lastReport.operation))")
        }
        return outcome
    }

    private func diff(_ first: String, _ second: String?) throws(ShellError) -> CommandResult {
        let left = try outcome(for: first)
        let right: HostOutcome
        let rightLabel: String
        if let second {
            right = try outcome(for: second)
            rightLabel = second
        } else {
            // Against the most common output among the other hosts.
            let others = lastReport!.outcomes.filter { $0.host != first }
            guard !others.isEmpty else { throw ShellError("diff with one host needs other hosts in the last result") }
            var counts: [String: Int] = [:]
            for other in others { counts[other.output, default: 0] += 1 }
            let common = counts.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
            right = HostOutcome(host: "common", output: common)
            rightLabel = "most common output (\(counted(counts[common]!, "host")))"
        }
        let lines = UnifiedDiff(color: renderer().color && settings.output != .json).diff(
            left.output, right.output, oldName: first, newName: rightLabel)
        if settings.output == .json {
            emit(["diff": .array(lines.map(JSONValue.string)), "of": .string(lastReport?.operation ?? "")])
        } else if lines.isEmpty {
            io.print("no differences between \(first) and \(rightLabel)")
        } else {
            for line in lines { io.print(line) }  // UnifiedDiff sanitises each line itself
        }
        return .ok
    }

    private func set(_ key: String?, _ value: String?) throws(ShellError) -> CommandResult {
        if settings.output == .json, value == nil {
            let listing = settings.listing.filter { key == nil || $0.0 == key }
            guard !listing.isEmpty else { throw ShellError("unknown setting '\(key ?? "")'; 'set' lists them") }
            emit(["settings": .object(Dictionary(uniqueKeysWithValues: listing.map { ($0.0, JSONValue.string($0.1)) }))]
            )
            return .ok
        }
        guard let key else {
            for (name, current) in settings.listing {
                io.print("\(name.padding(toLength: 16, withPad: " ", startingAt: 0))\(current)")
            }
            return .ok
        }
        guard let value else {
            let current = settings.listing.first { $0.0 == key }
            guard let current else { throw ShellError("unknown setting '\(key)'; 'set' lists them") }
            io.print("\(current.0) \(current.1)")
            return .ok
        }
        try settings.apply(key: key, value: value)
        if key == "fanout" { group.fanout = settings.fanout }
        return .ok
    }

    /// Prints one JSON object (for `--json`): `command` is the line as typed, then the given members.
    func emit(_ members: [String: JSONValue]) {
        var object = members
        object["command"] = .string(currentLine)
        io.print(JSONValue.object(object).jsonText)
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
        await group.close()
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension ShellCommand {
    /// Commands about recording itself are not written into the recording.
    var isSessionControl: Bool {
        switch self {
        case .record, .quit, .help: true
        default: false
        }
    }
}

/// Counts finished hosts for the live progress line; written from many tasks, read by the ticker.
final class ProgressTracker: Sendable {
    let total: Int
    private let state = NIOLockedValueBox((done: 0, failed: 0, seconds: [String: Double]()))

    init(total: Int) { self.total = total }

    func finished(_ host: String, failed: Bool, at seconds: Double) {
        state.withLockedValue {
            $0.done += 1
            if failed { $0.failed += 1 }
            $0.seconds[host] = seconds
        }
    }

    var counts: (Int, Int) { state.withLockedValue { ($0.done, $0.failed) } }
    var seconds: [String: Double] { state.withLockedValue { $0.seconds } }
}
