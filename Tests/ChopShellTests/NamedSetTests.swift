import ChopShell
import Foundation
import TestSupport
import XCTest

/// Named sets and the target algebra in a session of Local members; `record` keeps named sets as fixed.
final class NamedSetTests: XCTestCase {
    func testNamedSetsAlgebraAndRecording() async throws {
        let folder = try temporaryFolder(self)
        let recording = RecordingIO()
        let session = Session(io: recording.io)
        await expect(session, "record \(folder)/s.chop", .ok)
        for name in ["a1", "a2", "a3", "b1"] { await expect(session, "add local \(name)", .ok) }
        await expect(session, "@a[1-2] run true", .ok)
        await expect(session, "@a3,b1 run false", .hostsFailed)
        // @failed is now a3,b1: keep it, then let later results change @failed.
        await expect(session, "name broken @failed", .ok)
        XCTAssertTrue(recording.takeErr().contains("@broken = a3,b1 (2 hosts)"))
        await expect(session, "run true", .ok)
        await expect(session, "@broken run echo fixed", .ok)
        XCTAssertTrue(recording.takeOut().last?.hasPrefix("2 hosts: 2 ok") == true)
        await expect(session, "@a*&@broken run true", .ok)
        XCTAssertTrue(recording.takeOut().last?.hasPrefix("1 host: 1 ok") == true)
        await expect(session, "@all!@broken^a1 run true", .ok)
        XCTAssertTrue(recording.takeOut().last?.hasPrefix("1 host: 1 ok") == true)  // (a1,a2) ^ a1 = a2
        await expect(session, "names", .ok)
        XCTAssertEqual(recording.takeOut(), ["@broken  a3,b1  (2 hosts)"])
        await expect(session, "add ,", .error)  // refused: not recorded, so the replay below does not stop
        _ = recording.takeErr()
        await expect(session, "record off", .ok)
        for (line, message) in [
            ("name all web1", "built-in set"), ("name a1 b1", "member's name"), ("name 9x a1", "cannot name a set"),
            ("name x", "a name and a target"), ("add ,", "empty item"), ("@a1,,b1 run true", "nothing between"),
        ] {
            await expect(session, line, .error)
            XCTAssertTrue(recording.takeErr().joined().contains(message), line)
        }
        await session.close()
        let script = try String(contentsOfFile: "\(folder)/s.chop", encoding: .utf8)
        XCTAssertTrue(script.contains("\nname broken a3,b1\n"), script)
        XCTAssertFalse(script.contains("name broken @failed"), script)

        // A replay sees the set as it was named, and a new record starts with it.
        let replay = RecordingIO()
        let again = Session(io: replay.io)
        await expect(again, "source \(folder)/s.chop", .hostsFailed)  // the script's own 'run false'
        XCTAssertEqual(replay.takeErr().filter { $0.hasPrefix("chop:") }, [])
        await expect(again, "record \(folder)/t.chop", .ok)
        await expect(again, "names", .ok)
        XCTAssertEqual(replay.takeOut().last, "@broken  a3,b1  (2 hosts)")
        await again.close()
        let header = try String(contentsOfFile: "\(folder)/t.chop", encoding: .utf8)
        XCTAssertTrue(header.contains("\nname broken a3,b1\n"), header)
    }
}
