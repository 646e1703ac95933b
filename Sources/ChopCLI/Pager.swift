import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Long output through `$PAGER` (default `less -R -F -X`), as git does. The lines are chop's own rendering, already
/// sanitised: a host's escape sequences never reach the pager, only chop's colours.
enum Pager {
    /// The pager command: `$PAGER` when set, else `less -R -F -X`.
    static var command: String {
        let pager = ProcessInfo.processInfo.environment["PAGER"] ?? ""
        return pager.isEmpty ? "less -R -F -X" : pager
    }

    /// Pages `lines` when they are taller than the terminal; false when they fit (the caller prints them) or
    /// the pager cannot start.
    static func show(_ lines: [String]) async -> Bool {
        guard lines.count >= Terminal.height() - 1 else { return false }
        let text = lines.joined(separator: "\n") + "\n"
        return await withCheckedContinuation { continuation in
            // The pager reads the terminal and blocks until the user quits: a thread of its own.
            Thread.detachNewThread { continuation.resume(returning: run(text)) }
        }
    }

    private static func run(_ text: String) -> Bool {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return false }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let words = ["/bin/sh", "-c", command]
        var arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, nil, &arguments, environ)
        close(fds[0])
        guard spawned == 0 else {
            close(fds[1])
            return false
        }
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { write(fds[1], $0.baseAddress, $0.count) }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { break }  // the user quit early: the rest is not wanted
            bytes = bytes.dropFirst(written)
        }
        close(fds[1])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return true
    }
}
