import Chopsticks
import Foundation

/// Turns library results into the renderer's neutral model: what a person needs to read per host.
extension HostOutcome {
    /// An outcome for a host that errored: the reason carries the kind ("unreachable: …").
    init(host: String, error: ErrorResult) {
        let reason: String
        let message = FailureHint.text(error, host: host)
        switch error.kind {
        case .connection: reason = "unreachable: \(message)"
        case .timeout: reason = message
        case .interrupted: reason = "interrupted"
        case .remote: reason = "remote exception: \(message)"
        case .protocol: reason = message
        case .local: reason = message
        case .unknownHostKey: reason = "unknown host key: \(message)"
        case .hostKeyChanged: reason = "HOST KEY CHANGED: \(message)"
        case .needsPassword: reason = "needs password: \(message)"
        }
        self.init(host: host, state: .error, reason: reason, traceback: error.traceback)
    }

    /// Outcomes for every entry of a group result; `describe` says how a value reads.
    static func from<Value>(
        _ result: GroupResult<Value>, seconds: [String: Double], describe: (String, Value) -> HostOutcome
    ) -> [HostOutcome] {
        result.map { entry in
            var outcome: HostOutcome
            switch entry.result {
            case .success(let value): outcome = describe(entry.host, value)
            case .failure(let error): outcome = HostOutcome(host: entry.host, error: error)
            }
            if outcome.seconds == nil { outcome.seconds = seconds[entry.host] }
            return outcome
        }
    }

    static func run(_ host: String, _ run: RunResult) -> HostOutcome {
        let state: State = run.isFailure ? .failed : .ok
        var reason: String?
        if run.timedOut {
            reason = "timed out"
        } else if let signal = run.signal {
            reason = "signal \(signal)"
        } else if run.status != 0 {
            reason = "exit \(run.status ?? -1)"
        }
        var outcome = HostOutcome(
            host: host, state: state, exitCode: run.status, signal: run.signal, reason: reason, seconds: run.duration,
            truncated: run.stdoutTruncated || run.stderrTruncated)
        outcome.setOutput(stdout: run.stdout, stderr: run.stderr)
        return outcome
    }

    static func json(_ host: String, _ value: JSONValue) -> HostOutcome {
        HostOutcome(host: host, output: value.displayText, value: value)
    }

    static func exec(_ host: String, _ exec: ExecResult) -> HostOutcome {
        var text = exec.stdout
        if let value = exec.value {
            text += value.displayText
        } else if let repr = exec.repr {
            text += repr
        }
        return HostOutcome(
            host: host, output: text, errorOutput: exec.stderr, value: exec.value ?? exec.repr.map(JSONValue.string))
    }

    /// A `where` value: what the expression printed, then its value (`None` too, since it decides the match).
    static func eval(_ host: String, _ eval: EvalResult) -> HostOutcome {
        let shown = eval.value?.displayText ?? eval.repr ?? "None"
        return HostOutcome(
            host: host, output: eval.stdout + shown, errorOutput: eval.stderr,
            value: eval.value ?? eval.repr.map(JSONValue.string))
    }

    /// A working directory (`cd`, `pwd`): the path as plain text, so hosts that agree share a row.
    static func directory(_ host: String, _ eval: EvalResult) -> HostOutcome {
        var outcome = HostOutcome.eval(host, eval)
        if case .string(let path) = eval.value { outcome.output = eval.stdout + path }
        return outcome
    }

    static func facts(_ host: String, _ facts: Facts, names: [String]) -> HostOutcome {
        let text: String
        if names.count == 1, let value = facts[names[0]] {
            text = FactText.text(names[0], value)
        } else {
            text = facts.values.keys.sorted().map { "\($0): \(FactText.text($0, facts.values[$0]!))" }
                .joined(separator: "\n")
        }
        let errors = facts.errors.keys.sorted().map { "\($0): \(facts.errors[$0]!)" }.joined(separator: "\n")
        return HostOutcome(host: host, output: text, errorOutput: errors, value: .object(facts.values))
    }

    /// `changed` when the file was written; `ok · unchanged: …` when the host had the same bytes and mode.
    static func put(_ host: String, _ put: PutResult) -> HostOutcome {
        HostOutcome(
            host: host, state: put.changed ? .changed : .ok,
            output: (put.changed ? "" : "unchanged: ") + "\(put.remotePath) \(put.size) bytes sha1 \(put.sha1sum)",
            value: [
                "remote_path": .string(put.remotePath), "size": .int(Int64(put.size)), "sha1sum": .string(put.sha1sum),
                "changed": .bool(put.changed),
            ])
    }

    /// `REMOTE → LOCAL N bytes sha1 …`: where the file was read on the host, and where it landed here.
    static func fetch(_ host: String, _ fetch: FetchResult) -> HostOutcome {
        HostOutcome(
            host: host, output: "\(fetch.remotePath) → \(fetch.localPath) \(fetch.size) bytes sha1 \(fetch.sha1sum)",
            value: [
                "remote_path": .string(fetch.remotePath), "local_path": .string(fetch.localPath),
                "size": .int(Int64(fetch.size)), "sha1sum": .string(fetch.sha1sum),
            ])
    }

    static func ping(_ host: String, _ ping: PingResult) -> HostOutcome {
        HostOutcome(
            host: host, seconds: ping.seconds, output: String(format: "%.1f ms", ping.seconds * 1000),
            value: .double(ping.seconds))
    }
}
