import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Every tunnel child this process has started and not yet reaped.
///
/// It exists for one job: when the controller is told to stop (SIGTERM, SIGHUP), every child's process
/// group is ended before we exit, so no ssh, sudo or python process outlives chop.
public final class ProcessRegistry: Sendable {
    public static let shared = ProcessRegistry()

    private let pids = NIOLockedValueBox(Set<pid_t>())
    private let terminating = NIOLockedValueBox(false)

    /// True once a termination signal arrived: the handler is ending the children and will exit with
    /// 128 + signal, so the main program must not exit first with some other status.
    public var isTerminating: Bool { terminating.withLockedValue { $0 } }

    func add(_ pid: pid_t) { pids.withLockedValue { _ = $0.insert(pid) } }
    func remove(_ pid: pid_t) { pids.withLockedValue { _ = $0.remove(pid) } }

    /// The children still alive (not yet reaped).
    public var livePIDs: [pid_t] { pids.withLockedValue { Array($0) } }

    /// Sends SIGTERM to every child's process group, waits briefly, then SIGKILLs what is left and reaps it.
    /// Safe to call from a signal-handling context that is not async (it blocks for at most ~1 s).
    public func terminateAll() {
        let all = livePIDs
        for pid in all { _ = kill(-pid, SIGTERM) }
        var remaining = Set(all)
        for _ in 0..<100 where !remaining.isEmpty {
            for pid in remaining {
                var status: CInt = 0
                if waitpid(pid, &status, WNOHANG) != 0 { remaining.remove(pid) }
            }
            if !remaining.isEmpty { usleep(10_000) }
        }
        for pid in remaining {
            _ = kill(-pid, SIGKILL)
            var status: CInt = 0
            _ = waitpid(pid, &status, 0)
        }
        pids.withLockedValue { $0.subtract(all) }
    }

    /// Installs handlers so SIGTERM and SIGHUP end every child, then exit with 128 + signal.
    /// Call once at program start-up; the library never installs signal handlers by itself.
    public func installTerminationHandlers() {
        for signalNumber in [SIGTERM, SIGHUP] {
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                ProcessRegistry.shared.terminating.withLockedValue { $0 = true }
                ProcessRegistry.shared.terminateAll()
                exit(128 + signalNumber)
            }
            source.resume()
            // Kept for the life of the process on purpose: the handler must outlive every caller.
            _ = Unmanaged.passRetained(source as AnyObject)
        }
    }
}
