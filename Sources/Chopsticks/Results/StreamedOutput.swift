import Foundation
import NIOConcurrencyHelpers

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
