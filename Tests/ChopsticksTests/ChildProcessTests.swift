import Foundation
import XCTest

@testable import Chopsticks

#if canImport(Glibc)
    import Glibc
#endif

/// Reaping a child from a cancelled task (Ctrl-C during close) waits quietly instead of spinning.
final class ChildProcessTests: XCTestCase {
    private func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
        return user + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }

    func testWaitingInACancelledTaskDoesNotSpin() async throws {
        let child = try ChildProcess.spawn(["/bin/sh", "-c", "sleep 0.5"])
        for fd in [child.stdinFD, child.stdoutFD, child.stderrFD] { close(fd) }
        let before = cpuSeconds()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await child.waitForExit(graceSeconds: 5)
        }
        let status = await task.value
        let used = cpuSeconds() - before
        XCTAssertEqual(status.map { ($0 >> 8) & 0xff }, 0, "the child ran to its end")
        XCTAssertLessThan(used, 0.25, "waiting for 0.5 s used \(used) s of CPU: a spin")
    }
}
