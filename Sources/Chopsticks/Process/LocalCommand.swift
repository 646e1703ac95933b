import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A command on this machine through `/bin/sh -c`, with the terminal as its stdout and stderr: `!COMMAND` (as in
/// clush), and the pager, which reads chop's text on its stdin. Spawned by `ChildProcess`, chop's one spawn path,
/// in chop's process group so that it may read the terminal.
public enum LocalCommand {
    /// Runs `/bin/sh -c command` and returns its exit status (128 + signal when killed), or nil when it could not
    /// start.
    /// - Parameters:
    ///   - command: the shell text, run as `/bin/sh -c command` (the user's own words, as typed after `!`).
    ///   - input: written to the command's stdin, which is then closed; nil leaves it the terminal's. A command
    ///     that quits before reading it all (a pager) simply gets no more.
    ///   - stdoutToStderr: send the command's stdout to chop's stderr (with `--json`, chop's stdout holds JSON
    ///     objects only).
    public static func run(_ command: String, input: String? = nil, stdoutToStderr: Bool = false) async -> Int32? {
        guard
            let process = try? ChildProcess.spawn(
                ["/bin/sh", "-c", command], stdin: input == nil ? .inherited : .pipe,
                stdout: stdoutToStderr ? .stderr : .inherited, stderr: .inherited, ownGroup: false)
        else { return nil }
        // Feed and wait on a plain thread: writing and waitpid block, and the cooperative pool must not.
        let (child, writeEnd) = (process.pid, process.stdinFD)
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                if let input {
                    var bytes = Array(input.utf8)[...]
                    while !bytes.isEmpty {
                        let written = bytes.withUnsafeBytes { write(writeEnd, $0.baseAddress, $0.count) }
                        if written < 0 && errno == EINTR { continue }
                        if written <= 0 { break }  // it stopped reading: the rest is not wanted
                        bytes = bytes.dropFirst(written)
                    }
                    close(writeEnd)
                }
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
        }
    }
}
