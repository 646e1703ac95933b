import Foundation
import NIOConcurrencyHelpers

/// A piece of a command's output as it is printed, for `Tunnel.run(onOutput:)`: which stream, and the bytes
/// (not split at lines: a line may come in several pieces).
public struct RunOutput: Sendable, Equatable {
    public enum Stream: UInt8, Sendable {
        case stdout = 1
        case stderr = 2
    }

    public var stream: Stream
    public var bytes: Data

    public init(stream: Stream, bytes: Data) {
        self.stream = stream
        self.bytes = bytes
    }
}

/// Collects a streamed run's output for its `RunResult`, each stream up to `cap` bytes (the rest is counted as
/// truncated), while the pieces are also handed on as they come.
final class StreamedOutput: Sendable {
    private let state = NIOLockedValueBox(
        (stdout: Data(), stderr: Data(), stdoutTruncated: false, stderrTruncated: false))
    private let cap: Int

    init(cap: Int) { self.cap = cap }

    /// Reads one DATA payload (a stream byte, then output); nil when the payload is not one.
    func receive(_ payload: some Collection<UInt8>) -> RunOutput? {
        guard let tag = payload.first, let stream = RunOutput.Stream(rawValue: tag) else { return nil }
        let bytes = Data(payload.dropFirst())
        state.withLockedValue { state in
            let kept = stream == .stdout ? state.stdout.count : state.stderr.count
            let room = max(0, cap - kept)
            if stream == .stdout {
                state.stdout.append(bytes.prefix(room))
                if bytes.count > room { state.stdoutTruncated = true }
            } else {
                state.stderr.append(bytes.prefix(room))
                if bytes.count > room { state.stderrTruncated = true }
            }
        }
        return RunOutput(stream: stream, bytes: bytes)
    }

    var collected: (stdout: Data, stderr: Data, stdoutTruncated: Bool, stderrTruncated: Bool) {
        state.withLockedValue { $0 }
    }
}
