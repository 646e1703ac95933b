import ChopShell
import Foundation
import TestSupport
import XCTest

/// Rolling execution and dry runs on real Local members: waves, a chosen wave that fails, the stop and the
/// `@skipped` hosts, the canary question, defaults from `set`, and a dry run that touches nothing.
final class RolloutTests: XCTestCase {
    private func sessionWithSix(_ recording: RecordingIO, folder: String) async -> Session {
        let session = Session(io: recording.io)
        for index in 1...6 { await expect(session, "add local h\(index)", .ok) }
        await expect(session, "connect", .ok)
        _ = recording.takeOut()
        _ = recording.takeErr()
        return session
    }

    func testWavesStopWhenAChosenWaveFailsAndTheRestIsSkipped() async throws {
        let folder = try temporaryFolder(self)
        let recording = RecordingIO()
        let session = await sessionWithSix(recording, folder: folder)
        // Each host writes a stamp with the time; h3 and h4 (the second wave of 2) fail.
        let line =
            "run --batch 2 --max-fail 1 date +%s%N > \(folder)/{host}; case {host} in h3|h4) exit 1;; esac"
        await expect(session, line, .hostsFailed)
        let out = recording.takeOut()
        let summary = out.last ?? ""
        XCTAssertTrue(summary.hasPrefix("6 hosts: 2 ok, 2 failed, 2 skipped"), summary)
        XCTAssertTrue(summary.contains("@skipped = h[5-6]"), summary)
        XCTAssertTrue(
            out.contains {
                $0.hasPrefix("h[5-6]") && $0.contains("skipped (max-fail)")
                    && $0.contains("max-fail: 2 hosts failed, more than --max-fail 1")
            },
            "\(out)")
        let stamped = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        XCTAssertEqual(stamped, ["h1", "h2", "h3", "h4"])
        // Waves one after the other: the second wave started after the first had finished.
        func stamp(_ host: String) throws -> Int {
            Int(
                try String(contentsOfFile: "\(folder)/\(host)", encoding: .utf8).trimmingCharacters(
                    in: .whitespacesAndNewlines)) ?? 0
        }
        XCTAssertGreaterThan(try stamp("h3"), max(try stamp("h1"), try stamp("h2")))
        // The sets: @skipped for what was not touched, @failed for the failures only.
        await expect(session, "@skipped run true", .ok)
        XCTAssertTrue(recording.takeOut().last?.hasPrefix("2 hosts: 2 ok") == true)

        // A percentage, as a default from set; max-fail 0% of 6 is 0 (any failure stops).
        await expect(session, "set batch 50%", .ok)
        await expect(session, "set max-fail 0", .ok)
        await expect(session, "run case {host} in h1) exit 1;; esac", .hostsFailed)
        let second = recording.takeOut().last ?? ""
        XCTAssertTrue(second.hasPrefix("6 hosts: 2 ok, 1 failed, 3 skipped"), second)
        await expect(session, "set batch off", .ok)
        await expect(session, "set max-fail off", .ok)
        await expect(session, "run true", .ok)
        XCTAssertTrue(recording.takeOut().last?.hasPrefix("6 hosts: 6 ok") == true)
        await session.close()
    }

    func testCanaryAsksOnceAndScriptsNeedYes() async throws {
        let folder = try temporaryFolder(self)
        for answer in [false, true] {
            let recording = RecordingIO(answer: answer)
            let session = await sessionWithSix(recording, folder: folder)
            await expect(session, "run --canary 1 --batch 3 true", answer ? .ok : .hostsFailed)
            XCTAssertEqual(recording.questions, ["Go on with the other 5 hosts? [y/N] "])
            XCTAssertTrue(recording.takeErr().contains("canary: 1 host, 1 ok"))
            let summary = recording.takeOut().last ?? ""
            XCTAssertTrue(summary.hasPrefix(answer ? "6 hosts: 6 ok" : "6 hosts: 1 ok, 5 skipped"), summary)
            await session.close()
        }
        // No terminal: the canary runs, the rest waits for --yes.
        let batch = RecordingIO()
        let session = await sessionWithSix(batch, folder: folder)
        await expect(session, "run --canary 2 true", .hostsFailed)
        XCTAssertTrue(batch.takeOut().joined().contains("canary: the other hosts wait for a yes"))
        await expect(session, "run --canary 2 --yes true", .ok)
        await session.close()
    }

    func testDryRunTouchesNoHost() async throws {
        let folder = try temporaryFolder(self)
        try "payload".write(toFile: "\(folder)/app.conf", atomically: true, encoding: .utf8)
        let recording = RecordingIO()
        let session = Session(io: recording.io)
        await expect(session, "set dry-run on", .ok)
        await expect(session, "add local a", .ok)
        await expect(session, "add local b", .ok)
        await expect(session, "run touch \(folder)/{host}.touched", .ok)
        await expect(session, "put --batch 1 \(folder)/app.conf \(folder)/{host}.conf", .ok)
        await expect(session, "fetch /etc/hostname \(folder)/{host}.fetched", .ok)
        let shown = recording.takeOut()
        XCTAssertEqual(
            shown,
            [
                "dry run: run touch \(folder)/{host}.touched → 2 hosts: a,b",
                "  a: run touch \(folder)/a.touched", "  b: run touch \(folder)/b.touched",
                "dry run: put --batch 1 \(folder)/app.conf \(folder)/{host}.conf → 2 hosts: a,b; 2 waves of 1, 1",
                "  a: put \(folder)/app.conf (7 bytes) → \(folder)/a.conf, mode 644",
                "  b: put \(folder)/app.conf (7 bytes) → \(folder)/b.conf, mode 644",
                "dry run: fetch /etc/hostname \(folder)/{host}.fetched → 2 hosts: a,b",
                "  a: fetch /etc/hostname → \(folder)/a.fetched", "  b: fetch /etc/hostname → \(folder)/b.fetched",
            ])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["app.conf"])
        // Not connected either: no agent was started.
        let states = await session.members().map(\.state)
        XCTAssertEqual(states, ["idle", "idle"])
        await expect(session, "set dry-run off", .ok)
        await expect(session, "run touch \(folder)/{host}.touched", .ok)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted(),
            ["a.touched", "app.conf", "b.touched"])
        await session.close()
    }

    func testRolloutOptionsParse() throws {
        for bad in ["run --batch 0 x", "run --batch 101% x", "run --max-fail -1 x", "run --canary x y", "ping --batch"]
        {
            XCTAssertThrowsError(try CommandParser.parse(bad), bad) { error in
                XCTAssertFalse("\(error)".contains("\n"))
            }
        }
        let line = try XCTUnwrap(try CommandParser.parse("run --batch=10% --max-fail 2 --canary 1 --yes -- --batch"))
        XCTAssertEqual(line.rollout, Rollout(batch: .percent(10), maxFail: .count(2), canary: 1, yes: true))
        XCTAssertEqual((line.command as? RunCommand)?.text, "--batch")
        XCTAssertNil(try XCTUnwrap(try CommandParser.parse("run uptime")).rollout)
    }
}
