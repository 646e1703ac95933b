import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `!COMMAND`: a command on this machine, with the terminal as its stdin/stdout/stderr (as in clush).
enum LocalCommand {
    /// Runs `/bin/sh -c command` and returns its exit status (128 + signal when killed).
    /// - Parameter stdoutToStderr: send the command's stdout to chop's stderr (with `--json`, chop's stdout
    ///   holds JSON objects only).
    static func run(_ command: String, stdoutToStderr: Bool = false) async -> Int32 {
        var pid: pid_t = 0
        let words: [String] = ["/bin/sh", "-c", command]
        var arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGPIPE, SIGTERM, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdoutToStderr { posix_spawn_file_actions_adddup2(&actions, 2, 1) }
        guard posix_spawn(&pid, "/bin/sh", &actions, &attributes, &arguments, environ) == 0 else { return 127 }
        // Wait on a plain thread: waitpid blocks, and the cooperative pool must not.
        let child = pid
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                let signal = status & 0x7f
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xff : 128 + signal)
            }
        }
    }
}
