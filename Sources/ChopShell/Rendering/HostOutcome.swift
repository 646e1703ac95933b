import Chopsticks
import Foundation

/// What one host did in one operation, reduced to what a person (or a script reading JSON) needs to see.
///
/// The library reports results as typed values per operation (`RunResult`, `ExecResult`, `ErrorResult`, …). The
/// shell renders all of them the same way, so the session converts each into this neutral model first and the
/// renderer never has to know which operation produced it. All text is kept exactly as the host sent it; making it
/// safe for a terminal is the renderer's job, so JSON output can still carry the original bytes.
public struct HostOutcome: Sendable, Equatable {
    /// How the host's part of the operation ended.
    public enum State: String, Sendable, Hashable, CaseIterable {
        /// The operation completed and counts as a success.
        case ok
        /// The operation completed, and it changed something on the host (`put`, `put -r`, `sync`; in a dry run,
        /// would change): a success, counted apart from `ok` (which then means "nothing to do").
        case changed
        /// The operation completed but counts as a failure, e.g. a command that exited non-zero, was killed by a
        /// signal or ran past its timeout. The host itself worked.
        case failed
        /// The operation did not complete: the host was unreachable, timed out, raised, or the user interrupted.
        case error
        /// The host was not touched: a rolling operation stopped before its wave (`--max-fail`, a declined canary).
        case skipped
    }

    /// The host's name as the user knows it (a member name, not a resolved address).
    public var host: String
    public var state: State
    /// The command's exit status, for `run`; nil when it did not exit normally or the operation has none.
    public var exitCode: Int?
    /// The signal that ended the command, for `run`.
    public var signal: Int?
    /// Why the host did not succeed, one line: for `failed` e.g. "exit 2", "signal 9", "timed out"; for `error`
    /// e.g. "unreachable: connection refused", "timed out after 10 s", "interrupted",
    /// "remote exception: ValueError: x". The part before the first ": " is the short form shown in tables.
    public var reason: String?
    /// How long the host took, when known.
    public var seconds: Double?
    /// The main text: stdout, a JSON value's text, or a one-line summary of a value.
    public var output: String
    /// stderr, or what the remote code printed to stderr.
    public var errorOutput: String
    /// The remote traceback, when the host raised.
    public var traceback: String?
    /// Output beyond the transfer cap was dropped, so `output`/`errorOutput` are incomplete.
    public var truncated: Bool
    /// The operation's result as data, for `--json`: a call's or `py`'s value exactly as Python returned it,
    /// the facts, or a transfer's paths, size and checksum. Nil for `run`, whose result is its output.
    public var value: JSONValue?
    /// Where the whole stdout/stderr went when it outgrew `keep-bytes`; `output`/`errorOutput` then hold its start.
    public var spilled: SpilledOutput?
    /// The exact stdout and stderr bytes when they are not UTF-8 (a host in a Latin-1 locale): `output` and
    /// `errorOutput` show them with U+FFFD in their place, and `--json` carries these as `stdout_base64` and
    /// `stderr_base64`, so nothing the host printed is lost. Nil when the text is UTF-8 already.
    public var rawOutput: Data?
    public var rawErrorOutput: Data?
    /// What `show HOST` adds below the output: a tree's change list and its files with size and SHA-1, kept out
    /// of `output` so the table keeps one line per group.
    public var detail: String?

    /// Creates an outcome; only `host` is required so tests and converters state just what matters.
    public init(
        host: String, state: State = .ok, exitCode: Int? = nil, signal: Int? = nil, reason: String? = nil,
        seconds: Double? = nil, output: String = "", errorOutput: String = "", traceback: String? = nil,
        truncated: Bool = false, value: JSONValue? = nil
    ) {
        self.host = host
        self.state = state
        self.exitCode = exitCode
        self.signal = signal
        self.reason = reason
        self.seconds = seconds
        self.output = output
        self.errorOutput = errorOutput
        self.traceback = traceback
        self.truncated = truncated
        self.value = value
    }

    /// The whole stdout: the spill file's text when it was spilled, else `output`.
    public var fullOutput: String { spilled?.stdout.flatMap(Self.read) ?? output }

    /// The whole stderr, likewise.
    public var fullErrorOutput: String { spilled?.stderr.flatMap(Self.read) ?? errorOutput }

    /// How much of a spilled stream stays in memory: enough for a table cell or a cut block.
    static let headBytes = 16 * 1024

    private static func read(_ path: String) -> String? {
        (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Sets `output`/`errorOutput` from the host's bytes, keeping them in `rawOutput`/`rawErrorOutput` when
    /// they are not UTF-8.
    mutating func setOutput(stdout: Data, stderr: Data) {
        output = String(decoding: stdout, as: UTF8.self)
        errorOutput = String(decoding: stderr, as: UTF8.self)
        rawOutput = String(data: stdout, encoding: .utf8) == nil ? stdout : nil
        rawErrorOutput = String(data: stderr, encoding: .utf8) == nil ? stderr : nil
    }

    /// True for `failed` and `error`: the hosts a person wants to look at (and that `@failed` collects).
    public var isFailure: Bool { state == .failed || state == .error }

    /// True for `ok` and `changed`: the hosts that did what was asked (`@ok`).
    public var succeeded: Bool { state == .ok || state == .changed }
}
