import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The whole output of a short helper command (`ssh -G`, `ssh-keyscan`, `docker ps`), read with a deadline.
///
/// Helpers are never trusted to end: past the deadline the child's group is killed and what it printed so far
/// is kept. The reading blocks a thread of its own, never one of the shared pool's.
public struct CommandOutput: Sendable {
    /// The exit status, or nil when the command was killed at the deadline or by a signal.
    public var status: CInt?
    public var stdout: [UInt8]
    public var stderr: [UInt8]

    /// Standard output as text.
    public var text: String { String(decoding: stdout, as: UTF8.self) }
    /// The last non-empty line of standard error, for one-line messages.
    public var lastErrorLine: String? {
        String(decoding: stderr, as: UTF8.self).split(whereSeparator: \.isNewline).last {
            !$0.trimmingCharacters(in: .whitespaces).isEmpty
        }.map { String($0).trimmingCharacters(in: .whitespaces) }
    }

    /// Runs `argv` (looked up in PATH) with `input` on its stdin, for at most `timeout` seconds, keeping at most
    /// `limit` bytes of each output.
    public static func run(_ argv: [String], input: [UInt8] = [], timeout: Double, limit: Int = 1 << 20)
        async throws -> CommandOutput
    {
        let process = try ChildProcess.spawn(argv)
        let stdinFD = process.stdinFD
        let fds = (process.stdoutFD, process.stderrFD)
        let (stdout, stderr) = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                // A helper that does not read its stdin must not block us: the input is small, and written whole
                // or not at all before the pipe is closed.
                if !input.isEmpty {
                    _ = input.withUnsafeBytes { write(stdinFD, $0.baseAddress, $0.count) }
                }
                close(stdinFD)
                continuation.resume(returning: readBoth(fds, timeout: timeout, limit: limit))
            }
        }
        close(fds.0)
        close(fds.1)
        let status = await process.waitForExit(graceSeconds: 0.2)
        var exit: CInt?
        if let status, status & 0x7f == 0 { exit = (status >> 8) & 0xff }
        return CommandOutput(status: exit, stdout: stdout, stderr: stderr)
    }

    /// Reads both pipes until both end, the deadline passes, or both hold `limit` bytes.
    private static func readBoth(_ fds: (CInt, CInt), timeout: Double, limit: Int) -> ([UInt8], [UInt8]) {
        var outputs: [[UInt8]] = [[], []]
        var open = [true, true]
        var buffer = [UInt8](repeating: 0, count: 16384)
        let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
        while open[0] || open[1] {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            var polled = [
                pollfd(fd: open[0] ? fds.0 : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: open[1] ? fds.1 : -1, events: Int16(POLLIN), revents: 0),
            ]
            let milliseconds = CInt(
                min(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1, 60_000))
            let ready = poll(&polled, 2, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            for index in 0..<2 where open[index] && polled[index].revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(polled[index].fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 {
                    open[index] = false
                } else if outputs[index].count < limit {
                    outputs[index] += buffer[..<min(count, limit - outputs[index].count)]
                }
            }
        }
        return (outputs[0], outputs[1])
    }
}
