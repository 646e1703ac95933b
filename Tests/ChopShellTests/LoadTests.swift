import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// 500 Local and 200 SSH members in one session, 1,000 host operations, then everything disconnected and
/// reconnected: chop's descriptors, threads, children and memory come back to where they started.
///
/// Slow (a minute or two on 2 cores, 700 agents), so it runs when CHOP_LOAD_TESTS=1, as `.ci/run` sets.
final class LoadTests: XCTestCase {
    /// What chop holds at one moment, from /proc.
    private struct Footprint: CustomStringConvertible {
        var descriptors: Int
        var threads: Int
        var children: [String]
        var rssMiB: Double

        static func now() -> Footprint {
            let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.count ?? -1
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task"))?.count ?? -1
            return Footprint(
                descriptors: fds, threads: tasks, children: ProcessTree.strayChildren(),
                rssMiB: ProcessTree.residentMiB())
        }

        var description: String {
            "\(descriptors) fds, \(threads) threads, \(children.count) children, RSS \(Int(rssMiB)) MiB"
        }
    }

    /// The margins allowed between the footprint before the load and after it, stated once.
    private static let extraDescriptors = 8
    private static let extraThreads = 8
    private static let extraRSSMiB = 48.0

    /// The footprint once the process is quiet: no child left, and the same descriptors and threads in five
    /// readings in a row, 100 ms apart (at most 30 s of readings). The baseline is then what the process
    /// holds for good, not a moment when a closing member's pipes or a reaping thread were still there.
    private static func quietFootprint() async -> Footprint {
        var previous = Footprint.now()
        var steady = 0
        for _ in 0..<300 where steady < 5 {
            try? await Task.sleep(for: .milliseconds(100))
            let now = Footprint.now()
            let same =
                now.children.isEmpty && now.descriptors == previous.descriptors && now.threads == previous.threads
            steady = same ? steady + 1 : 0
            previous = now
        }
        return previous
    }

    private func expect(_ session: Session, _ line: String, _ expected: CommandResult, _ recording: RecordingIO) async {
        let result = await session.execute(line)
        let errors = recording.takeErr().suffix(5).joined(separator: "\n")
        XCTAssertEqual(result, expected, "\(line): \(errors)")
    }

    func testSevenHundredMembersThousandOperationsAndNothingLeaks() async throws {
        try require(
            ProcessInfo.processInfo.environment["CHOP_LOAD_TESTS"] == "1"
                ? nil : "slow load test: set CHOP_LOAD_TESTS=1 (.ci/run does)")
        let fleet = try requireFleet()
        DescriptorLimit.raiseSoftLimit()
        let folder = try temporaryFolder(self)
        // 200 aliases over the fleet's four healthy addresses (one sshd), with the fleet's keys and known_hosts.
        // The fleet's `Host *` defaults first: an Include after a Host line would belong to that host only.
        var config = "Include \(fleet.configFile)\n"
        for index in 1...200 {
            config += "Host load\(index)\n    HostName 127.0.0.\(2 + index % 4)\n    Port \(fleet.port)\n"
            config += "    HostKeyAlias chopfleet\n"
        }
        try config.write(toFile: "\(folder)/ssh_config", atomically: true, encoding: .utf8)

        // Warm up what lives for the whole process (event loops, the interpreter search), then the baseline.
        let warm = RecordingIO()
        let warmSession = Session(io: warm.io, sshConfigFile: "\(folder)/ssh_config")
        await expect(warmSession, "add local w", .ok, warm)
        await expect(warmSession, "add load1", .ok, warm)
        await expect(warmSession, "run true", .ok, warm)
        await warmSession.close()
        let before = await Self.quietFootprint()

        let recording = RecordingIO()
        var settings = ShellSettings()
        settings.connectTimeout = 120
        let session = Session(settings: settings, io: recording.io, sshConfigFile: "\(folder)/ssh_config")
        let start = ContinuousClock.now
        for index in 1...500 { await expect(session, "add local l\(index)", .ok, recording) }
        await expect(session, "add load[1-200]", .ok, recording)
        let members = await session.members()
        XCTAssertEqual(members.count, 700)

        // 1,000 host operations: run on all 700, call on the 200 SSH members, ping on 100 Local ones.
        await expect(session, "run true", .ok, recording)
        await expect(session, "@load* call os.getpid", .ok, recording)
        await expect(session, "@l[1-100] ping", .ok, recording)
        let loaded = Footprint.now()
        XCTAssertGreaterThan(loaded.descriptors, before.descriptors + 700, "\(loaded)")
        _ = recording.takeOut()

        // Disconnect and reconnect all: the footprint returns, the members answer again.
        await expect(session, "disconnect", .ok, recording)
        await expect(session, "connect", .ok, recording)
        await expect(session, "ping", .ok, recording)
        let summary = recording.takeOut().last ?? ""
        XCTAssertTrue(summary.hasPrefix("700 hosts: 700 ok"), summary)
        await expect(session, "disconnect", .ok, recording)
        await session.close()
        let elapsed = start.duration(to: .now)

        // Children are reaped at once; descriptors and threads within a few of the baseline.
        _ = await waitUntil(timeout: 10) {
            let now = Footprint.now()
            return now.children.isEmpty && now.descriptors <= before.descriptors + Self.extraDescriptors
                && now.threads <= before.threads + Self.extraThreads
        }
        let after = Footprint.now()
        let report = "before: \(before); loaded: \(loaded); after: \(after); \(elapsed)"
        print("load test: \(report)")
        XCTAssertEqual(after.children, [], report)
        XCTAssertLessThanOrEqual(after.descriptors, before.descriptors + Self.extraDescriptors, report)
        XCTAssertLessThanOrEqual(after.threads, before.threads + Self.extraThreads, report)
        XCTAssertLessThanOrEqual(after.rssMiB, before.rssMiB + Self.extraRSSMiB, report)
    }
}
