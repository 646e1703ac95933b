import Foundation

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
        return Self.exitDescription(status: status ?? -1, signal: signal)
    }

    /// How a process ended, in the words every report uses (a command's result, an agent that died while
    /// starting): "exit status 2", "killed by signal 9".
    static func exitDescription(status: Int, signal: Int?) -> String {
        if let signal { return "killed by signal \(signal)" }
        return "exit status \(status)"
    }
}
