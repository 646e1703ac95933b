import Chopsticks
import Foundation
import TestSupport
import XCTest

@testable import ChopShell

/// A host that prints without end cannot fill the controller's disk: spilled output stops at `spill-max` per
/// host, and at all when the disk's free space is under the floor; what was dropped is said at the file's end.
final class OutputSpillTests: SessionTestCase {
    /// A hostile agent streams output forever and ignores `set timeout 1`: the file holds at most spill-max
    /// (plus its note), chop's memory stays bounded, and the host is ended at the deadline.
    func testADataFloodIsCutAtSpillMaxAndEndedAtTheDeadline() async throws {
        let folder = try temporaryFolder(self)
        let python = try HostileAgent.interpreter(mode: "data-flood", folder: folder)
        let flooded = Session(io: recording.io, resultsFolder: "\(folder)/results")
        for line in [
            "set timeout 1", "set keep-bytes 1024", "set spill-max 4194304", "add local evil --python \(python)",
        ] {
            let result = await flooded.execute(line)
            XCTAssertEqual(result, .ok, "\(line): \(recording.takeErr())")
        }
        let before = ProcessTree.residentMiB()
        let result = try await withinSeconds(60) { await flooded.execute("run yes") }
        XCTAssertEqual(result, .hostsFailed)
        let failure = (recording.takeOut() + recording.takeErr()).joined(separator: "\n")
        XCTAssertTrue(failure.contains("timed out: still running 5 s after its 1 s timeout"), failure)
        XCTAssertLessThan(ProcessTree.residentMiB() - before, 100)
        let file = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/results/1/evil.out"))
        let cap = 4_194_304
        XCTAssertEqual(file.prefix(cap), Data(repeating: UInt8(ascii: "x"), count: cap))
        let note = String(decoding: file.dropFirst(cap), as: UTF8.self)
        XCTAssertTrue(note.hasPrefix("\n[chop: output cut here, "), note)
        XCTAssertTrue(note.hasSuffix(" more bytes dropped: over spill-max (4194304 bytes for each host)]\n"), note)
        await flooded.close()
    }

    /// With the disk's free space under the floor nothing is written at all, only the note.
    func testNothingIsSpilledUnderTheDiskFloor() throws {
        let folder = try temporaryFolder(self)
        let spill = OutputSpill(folder: folder, keep: 1024, cap: 1 << 30, freeFloor: Int.max)
        for _ in 0..<10 { spill.receive("a", RunOutput(stream: .stdout, bytes: Data(count: 65536))) }
        let finished = spill.finish("a")
        XCTAssertEqual(finished.dropped, 655_360)
        XCTAssertEqual(finished.stdout.count, 1024)
        let file = try String(contentsOfFile: "\(folder)/a.out", encoding: .utf8)
        XCTAssertEqual(
            file, OutputSpill.note(dropped: 655_360, why: "the disk's free space fell under \(Int.max >> 20) MiB"))
    }
}
