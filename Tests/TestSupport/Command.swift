import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs a command to completion and returns its exit status and stdout.
///
/// Test fixtures use this instead of Foundation.Process, whose exit monitoring on Linux can miss a child's
/// exit (leaving `waitUntilExit` hanging and a zombie behind) once other code spawns and reaps children.
public enum Command {
    @discardableResult
    public static func run(_ argv: [String]) throws -> (status: Int32, output: String) {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw POSIXError(.EMFILE) }
        // Close-on-exec on both ends: only the dup2'd copy reaches the child, so a daemon it starts (tmux's
        // server) cannot keep the pipe open and leave us waiting for an end of file that never comes.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        var attributes = defaultSignals()
        defer { posix_spawnattr_destroy(&attributes) }
        var pid: pid_t = 0
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let status = posix_spawnp(&pid, argv[0], &actions, &attributes, &cArguments, environ)
        close(fds[1])
        guard status == 0 else {
            close(fds[0])
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .ENOENT)
        }
        var output = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(fds[0], &buffer, buffer.count)
            if count > 0 {
                output.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        close(fds[0])
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        let exitStatus = (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
        return (exitStatus, String(decoding: output, as: UTF8.self))
    }

    /// Starts a long-running command in the background and returns its PID (the caller stops it).
    public static func start(_ argv: [String]) throws -> pid_t {
        var attributes = defaultSignals()
        defer { posix_spawnattr_destroy(&attributes) }
        var pid: pid_t = 0
        var cArguments: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for argument in cArguments { free(argument) } }
        let status = posix_spawnp(&pid, argv[0], nil, &attributes, &cArguments, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .ENOENT) }
        return pid
    }

    /// Spawn attributes that give the child default signal handling: the test runner ignores some signals,
    /// and ignored signals would otherwise be inherited across exec.
    private static func defaultSignals() -> posix_spawnattr_t {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        return attributes
    }
}
