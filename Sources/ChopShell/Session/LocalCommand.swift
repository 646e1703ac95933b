import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A command on this machine through `/bin/sh -c`, with the terminal as its stdout and stderr: `!COMMAND` (as in
/// clush), and the pager, which reads chop's text on its stdin.
public enum LocalCommand {
    /// Runs `/bin/sh -c command` and returns its exit status (128 + signal when killed), or nil when it could not
    /// start.
    /// - Parameters:
    ///   - input: written to the command's stdin, which is then closed; nil leaves it the terminal's. A command
    ///     that quits before reading it all (a pager) simply gets no more.
    ///   - stdoutToStderr: send the command's stdout to chop's stderr (with `--json`, chop's stdout holds JSON
    ///     objects only).
    public static func run(_ command: String, input: String? = nil, stdoutToStderr: Bool = false) async -> Int32? {
        var fds: [Int32] = [-1, -1]
        if input != nil, pipe(&fds) != 0 { return nil }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input != nil {
            posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
            posix_spawn_file_actions_addclose(&actions, fds[1])
        }
        if stdoutToStderr { posix_spawn_file_actions_adddup2(&actions, 2, 1) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGPIPE, SIGTERM, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        let words: [String] = ["/bin/sh", "-c", command]
        var arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, &arguments, environ)
        if input != nil { close(fds[0]) }
        guard spawned == 0 else {
            if input != nil { close(fds[1]) }
            return nil
        }
        // Feed and wait on a plain thread: writing and waitpid block, and the cooperative pool must not.
        let (child, writeEnd) = (pid, fds[1])
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
