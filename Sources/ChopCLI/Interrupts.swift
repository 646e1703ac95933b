import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

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
