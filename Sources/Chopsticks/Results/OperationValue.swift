import Foundation

/// A value an operation can return for one host. `isFailure` lets a completed operation still count as
/// a failure (a command that exited non-zero), so `GroupResult.failures()` shows what a person would.
public protocol OperationValue: Sendable {
    var isFailure: Bool { get }
}

extension OperationValue {
    public var isFailure: Bool { false }
}

extension JSONValue: OperationValue {}

/// The outcome of `run`: how the command ended and what it printed.
public struct RunResult: OperationValue, Hashable {
    /// Exit status, or nil when a signal ended the command.
    public var status: Int?
    /// The signal that ended the command, if any.
    public var signal: Int?
    public var stdout: Data
    public var stderr: Data
    /// Output beyond the cap (1 MiB by default) was dropped.
    public var stdoutTruncated: Bool
    public var stderrTruncated: Bool
    /// The command ran past its timeout and was killed.
    public var timedOut: Bool
    /// Seconds the command ran, measured on the far side.
    public var duration: Double

    public init(
        status: Int?, signal: Int? = nil, stdout: Data = Data(), stderr: Data = Data(),
        stdoutTruncated: Bool = false, stderrTruncated: Bool = false, timedOut: Bool = false, duration: Double = 0
    ) {
        self.status = status
        self.signal = signal
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutTruncated = stdoutTruncated
        self.stderrTruncated = stderrTruncated
        self.timedOut = timedOut
        self.duration = duration
    }

    public var isFailure: Bool { status != 0 || timedOut }

    /// stdout as text (invalid UTF-8 shown as U+FFFD).
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }

    /// "exit status 2", "killed by signal 9", "timed out".
    public var statusDescription: String {
        if timedOut { return "timed out" }
        if let signal { return "killed by signal \(signal)" }
        return "exit status \(status ?? -1)"
    }
}

/// The outcome of `exec`: the value of a final expression, and what the code printed.
public struct ExecResult: OperationValue, Hashable {
    /// The final expression's value as JSON, or nil when there was none (or it was None).
    public var value: JSONValue?
    /// `repr()` of a final value that is not JSON-serialisable.
    public var repr: String?
    public var stdout: String
    public var stderr: String

    public init(value: JSONValue?, repr: String? = nil, stdout: String = "", stderr: String = "") {
        self.value = value
        self.repr = repr
        self.stdout = stdout
        self.stderr = stderr
    }
}

/// The outcome of `put`.
public struct PutResult: OperationValue, Hashable {
    public var remotePath: String
    public var size: Int
    public var sha1sum: String

    public init(remotePath: String, size: Int, sha1sum: String) {
        self.remotePath = remotePath
        self.size = size
        self.sha1sum = sha1sum
    }
}

/// The outcome of `fetch`.
public struct FetchResult: OperationValue, Hashable {
    public var localPath: String
    public var remotePath: String
    public var size: Int
    public var sha1sum: String

    public init(localPath: String, remotePath: String, size: Int, sha1sum: String) {
        self.localPath = localPath
        self.remotePath = remotePath
        self.size = size
        self.sha1sum = sha1sum
    }
}

/// The outcome of `ping`: the round-trip time in seconds.
public struct PingResult: OperationValue, Hashable {
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }
}

/// The outcome of `facts`: each fact's JSON value (null when that fact failed on the host).
public struct Facts: OperationValue, Hashable {
    public var values: [String: JSONValue]
    /// Facts that raised on the host, with the reason.
    public var errors: [String: String]

    public init(values: [String: JSONValue], errors: [String: String] = [:]) {
        self.values = values
        self.errors = errors
    }

    public subscript(name: String) -> JSONValue? { values[name] }
}
