import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// The few terminal facts chop needs: is it a terminal, how wide, and unbuffered writes.
enum Terminal {
    /// $HOME as the user's shell sees it (Foundation's NSHomeDirectory reads the passwd entry instead).
    static var home: String {
        ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }

    static var stdinIsTTY: Bool { isatty(0) == 1 }
    static var stdoutIsTTY: Bool { isatty(1) == 1 }
    static var stderrIsTTY: Bool { isatty(2) == 1 }

    /// Columns of the terminal on stdout (or stderr), 100 when neither is a terminal.
    static func width() -> Int {
        var size = winsize()
        for fd: Int32 in [1, 2] where ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 100
    }

    /// Writes straight to stdout, unbuffered, so output interleaves correctly with `!commands`.
    static func write(_ text: String) { writeAll(1, text) }

    static func writeError(_ text: String) { writeAll(2, text) }

    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }

    /// Raises the soft open-files limit to the hard one: each tunnel holds 3 descriptors.
    static func raiseFileLimit() {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}

/// Ctrl-C without dying: a SIGINT handler (no SA_RESTART, so a blocked `el_gets` returns with EINTR) writes
/// a byte to a pipe; a watcher thread reads it and cancels the operation that is running, if any.
enum Interrupts {
    /// The write end of the self-pipe; the C signal handler cannot capture context, so it is a global,
    /// written once before the handler is installed and only read afterwards.
    nonisolated(unsafe) static var pipeWrite: Int32 = -1
    private static let current = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)

    static func install() {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return }
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)
        pipeWrite = fds[1]
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 3
            _ = Glibc.write(Interrupts.pipeWrite, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)
        let readEnd = fds[0]
        Thread.detachNewThread {
            var byte: UInt8 = 0
            while true {
                let result = read(readEnd, &byte, 1)
                if result < 0 && errno == EINTR { continue }
                if result <= 0 { return }
                current.withLockedValue { $0 }?()
            }
        }
    }

    /// Waits for `task`; a Ctrl-C meanwhile cancels it (the operation reports what finished).
    static func waiting<T: Sendable>(for task: Task<T, Never>) async -> T {
        current.withLockedValue { $0 = { task.cancel() } }
        defer { current.withLockedValue { $0 = nil } }
        return await task.value
    }
}
