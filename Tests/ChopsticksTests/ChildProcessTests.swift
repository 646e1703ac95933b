import Foundation
import TestSupport
import XCTest

@testable import Chopsticks

#if canImport(Glibc)
    import Glibc
#endif

/// Reaping a child from a cancelled task (Ctrl-C during close) waits quietly instead of spinning; members that
/// connect together spawn together (`SpawnBatch`).
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

    /// Nothing is spawned until every member that joined has come (or withdrawn) and the batch is sealed; then
    /// every child starts, and a command that cannot start fails for its member alone.
    func testABatchSpawnsWhenEveryMemberHasCome() async throws {
        let folder = try temporaryFolder(self)
        let batch = SpawnBatch()
        for _ in 0..<4 { batch.join() }
        let marks = (0..<2).map { folder + "/started-\($0)" }
        let tasks = marks.map { mark in
            Task { try await batch.spawn(["/bin/sh", "-c", "echo $$ > '\(mark)'"]) }
        }
        let missing = Task { try await batch.spawn(["/nonexistent/chop-no-such-command"]) }
        try await Task.sleep(for: .milliseconds(300))
        for mark in marks {
            XCTAssertFalse(FileManager.default.fileExists(atPath: mark), "spawned before the batch was complete")
        }
        batch.seal()
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertFalse(FileManager.default.fileExists(atPath: marks[0]), "one member has neither come nor withdrawn")
        batch.withdraw()
        for (task, mark) in zip(tasks, marks) {
            let child = try await task.value
            for fd in [child.stdinFD, child.stdoutFD, child.stderrFD] { close(fd) }
            let status = await child.waitForExit(graceSeconds: 5)
            XCTAssertEqual(status.map { ($0 >> 8) & 0xff }, 0)
            let pid = try String(contentsOfFile: mark, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            XCTAssertEqual(pid, String(child.pid))
        }
        do {
            _ = try await missing.value
            XCTFail("a command that does not exist was spawned")
        } catch {
            XCTAssertTrue("\(error)".contains("not found"), "\(error)")
        }
    }
}
