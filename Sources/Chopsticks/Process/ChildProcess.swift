import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// A child process spawned with `posix_spawn`, with pipes for stdin, stdout and stderr.
///
/// Foundation.Process spawns a thread per child and its async I/O hangs on Linux; here we spawn
/// ourselves and hand the pipe ends to SwiftNIO, which multiplexes thousands of them on a few threads.
/// Each child leads its own process group, so a Ctrl-C in the terminal never reaches it and `terminate()`
/// reaches everything it started.
final class ChildProcess: Sendable {
    let pid: pid_t
    /// Our end of the child's stdin (write), stdout (read) and stderr (read). Ownership passes to NIO.
    let stdinFD: CInt
    let stdoutFD: CInt
    let stderrFD: CInt

    private init(pid: pid_t, stdinFD: CInt, stdoutFD: CInt, stderrFD: CInt) {
        self.pid = pid
        self.stdinFD = stdinFD
        self.stdoutFD = stdoutFD
        self.stderrFD = stderrFD
    }

    /// Where a child's standard stream goes: a pipe to us (the tunnels), or the terminal chop has (the pager and
    /// `!COMMAND`, which show their output and read keys there).
    enum Stream: Sendable, Equatable {
        case pipe
        case inherited
        /// Chop's stderr for stdout: with `--json`, chop's stdout holds JSON objects only.
        case stderr
    }

    /// Starts `argv` (looked up in PATH), by default in a new process group with pipes for all three streams;
    /// the one spawn path of chop. A child that uses the terminal stays in chop's process group
    /// (`ownGroup: false`): only the foreground group may read the terminal, and Ctrl-C is for it there.
    /// A stream that is not a pipe has -1 as its descriptor here.
    static func spawn(
        _ argv: [String], environment: [String: String]? = nil, stdin: Stream = .pipe, stdout: Stream = .pipe,
        stderr: Stream = .pipe, ownGroup: Bool = true
    ) throws -> ChildProcess {
        precondition(!argv.isEmpty)
        var fds = [CInt](repeating: -1, count: 6)
        for index in 0..<3 where [stdin, stdout, stderr][index] == .pipe {
            // pipe2 is not exported to Swift; set close-on-exec right after, so other children never inherit it.
            let result = fds.withUnsafeMutableBufferPointer { pointer in pipe(pointer.baseAddress! + index * 2) }
            if result == 0 {
                _ = fcntl(fds[index * 2], F_SETFD, FD_CLOEXEC)
                _ = fcntl(fds[index * 2 + 1], F_SETFD, FD_CLOEXEC)
            } else {
                let error = errno
                for fd in fds where fd >= 0 { close(fd) }
                throw SpawnError(command: argv[0], errno: error)
            }
        }
        // fds: [stdin.r, stdin.w, stdout.r, stdout.w, stderr.r, stderr.w]
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if stdin == .pipe { posix_spawn_file_actions_adddup2(&actions, fds[0], 0) }
        if stdout == .pipe { posix_spawn_file_actions_adddup2(&actions, fds[3], 1) }
        if stdout == .stderr { posix_spawn_file_actions_adddup2(&actions, 2, 1) }
        if stderr == .pipe { posix_spawn_file_actions_adddup2(&actions, fds[5], 2) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        if ownGroup { posix_spawnattr_setpgroup(&attributes, 0) }
        // The child starts with default signal handling and nothing blocked, whatever the controller set up.
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGPIPE, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(
            &attributes, Int16((ownGroup ? POSIX_SPAWN_SETPGROUP : 0) | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let status = withCStrings(argv) { argvPointers in
            withCStrings(env) { envPointers in
                posix_spawnp(&pid, argv[0], &actions, &attributes, argvPointers, envPointers)
            }
        }
        for fd in [fds[0], fds[3], fds[5]] where fd >= 0 { close(fd) }
        guard status == 0 else {
            for fd in [fds[1], fds[2], fds[4]] where fd >= 0 { close(fd) }
            throw SpawnError(command: argv[0], errno: status)
        }
        // A child in chop's own group is the terminal's, waited for by its caller: the registry ends groups.
        if ownGroup { ProcessRegistry.shared.add(pid) }
        return ChildProcess(pid: pid, stdinFD: fds[1], stdoutFD: fds[2], stderrFD: fds[4])
    }

    /// Sends `signal` to the child's whole process group (everything it started).
    func signalGroup(_ signal: CInt) {
        _ = kill(-pid, signal)
    }

    /// Waits for the child to exit and reaps it (no zombie). Polls with `WNOHANG` so no thread blocks;
    /// after `graceSeconds` it sends SIGKILL to the group, so this always returns.
    /// - Returns: the raw wait status, or nil if someone else already reaped it.
    @discardableResult
    func waitForExit(graceSeconds: Double = 3) async -> CInt? {
        if Task.isCancelled {
            // Task.sleep returns at once in a cancelled task, which would turn this poll into a spin: wait in
            // a task of its own, which the caller's cancellation does not reach.
            return await Task.detached { await self.waitForExit(graceSeconds: graceSeconds) }.value
        }
        let start = ContinuousClock.now
        var delay = 1
        var killed = false
        while true {
            var status: CInt = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                ProcessRegistry.shared.remove(pid)
                // Anything the child left in its group goes too.
                _ = kill(-pid, SIGKILL)
                return status
            }
            if result < 0 && errno != EINTR {
                ProcessRegistry.shared.remove(pid)
                return nil
            }
            if !killed && ContinuousClock.now - start > .seconds(graceSeconds) {
                signalGroup(SIGKILL)
                killed = true
            }
            try? await Task.sleep(for: .milliseconds(delay))
            // Most children end within a few ms of their stdin closing (ssh after the agent): poll every 5 ms at
            // first, so closing a session is not held up to 30 ms by the back-off, then back off to 50 ms.
            delay = min(delay * 2, ContinuousClock.now - start < .milliseconds(200) ? 5 : 50)
        }
    }

    /// Asks the process group to stop, then reaps the child.
    func terminate(graceSeconds: Double = 2) async {
        signalGroup(SIGTERM)
        await waitForExit(graceSeconds: graceSeconds)
    }
}

/// The exit of a child (a `waitpid` status) in words: "exit status 2", "killed by signal 9".
func describeWaitStatus(_ status: CInt) -> String {
    let signal = status & 0x7f
    return RunResult.exitDescription(status: Int((status >> 8) & 0xff), signal: signal == 0 ? nil : Int(signal))
}

private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
