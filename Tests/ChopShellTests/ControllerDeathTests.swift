import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// When chop itself dies or its terminal closes, nothing it started lives on: not its Local agents, not the
/// agents on the far side of ssh, not the commands they run.
final class ControllerDeathTests: XCTestCase {
    /// Starts chop on `commands`, waits until `count` `sleep 60` commands run under chop or under `sshd`, and
    /// returns chop's PID and every process that belongs to it (its own tree and its new ssh sessions).
    private func startChop(_ commands: String, sleeping count: Int, sshd: pid_t?, folder: String) throws -> (
        pid_t, [pid_t]
    ) {
        let before = Set(sshd.map { ProcessTree.descendants(of: $0) } ?? [])
        let pid = try Command.start(["/bin/sh", "-c", "exec \(Tmux.chopBinary) \(commands) >\(folder)/log 2>&1"])
        var owned: [pid_t] = []
        let started = eventually(timeout: 30) {
            let remote = sshd.map { ProcessTree.descendants(of: $0).filter { !before.contains($0) } } ?? []
            owned = ProcessTree.descendants(of: pid) + remote
            return owned.map(ProcessTree.commandLine).filter { $0.hasPrefix("sleep 60") }.count >= count
        }
        let log = (try? String(contentsOfFile: "\(folder)/log", encoding: .utf8)) ?? ""
        XCTAssertTrue(started, "the commands never started: \(log)")
        return (pid, owned)
    }

    private func agents(_ pids: [pid_t]) -> [pid_t] {
        pids.filter { ProcessTree.commandLine($0).contains("python") }
    }

    func testKill9OfChopEndsEveryAgentLocalAndThroughSSHWithin5Seconds() throws {
        try requireChop()
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let (pid, owned) = try startChop(
            "-q -F \(fleet.configFile) -c 'add local a; add local b; add web1 web2; run sleep 60'", sleeping: 4,
            sshd: fleet.pid, folder: folder)
        XCTAssertGreaterThanOrEqual(agents(owned).count, 4, owned.map(ProcessTree.commandLine).joined(separator: "\n"))
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual(status & 0x7f, SIGKILL)
        // Each agent reads the end of its stdin (through ssh and sshd for the remote ones) and exits, ending its
        // command's process group.
        XCTAssertEqual(ProcessTree.survivors(owned, timeout: 5), [])
    }

    func testSIGHUPEndsEveryChildAsSIGTERMDoes() throws {
        try requireChop()
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let (pid, owned) = try startChop(
            "-q -F \(fleet.configFile) -c 'add local a; add web3; run sleep 60'", sleeping: 2, sshd: fleet.pid,
            folder: folder)
        kill(pid, SIGHUP)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual((status >> 8) & 0xff, 128 + SIGHUP, "chop exits with 128 + SIGHUP after cleaning up")
        XCTAssertEqual(ProcessTree.survivors(owned, timeout: 5), [])
    }
}
