import Foundation
import TestSupport
import XCTest

/// When chop runs out of file descriptors, the members past the limit get a one-line error that says what to
/// do; the others work, and chop does not crash.
final class DescriptorLimitTests: XCTestCase {
    /// Started with a soft limit under the hard one, chop raises the soft limit to the hard one before any
    /// member connects: its Local member's commands inherit the raised limit (without the raise, 64).
    func testTheSoftLimitIsRaisedToTheHardOneAtStartUp() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let line =
            "prlimit --nofile=64:4096 \(Tmux.chopBinary) --json -q -c 'add local a; run ulimit -n' "
            + ">\(folder)/out 2>\(folder)/err </dev/null"
        let status = try Command.run(["/bin/sh", "-c", line]).status
        let out = (try? String(contentsOfFile: folder + "/out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? ""
        XCTAssertEqual(status, 0, err)
        let object = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
        let hosts = object?["hosts"] as? [[String: Any]] ?? []
        XCTAssertEqual(hosts.count, 1, out)
        XCTAssertEqual(hosts.first?["stdout"] as? String, "4096\n", "the soft limit was not raised: \(out)")
    }

    func testMembersPastTheOpenFilesLimitGetAClearErrorAndTheOthersWork() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        // 64 descriptors, hard limit too (chop raises the soft one to the hard one at start-up): some of the 60
        // members fit, the rest cannot open their pipes.
        let adds = (1...60).map { "add local m\($0)" }.joined(separator: "\n")
        let script = folder + "/many.chop"
        try (adds + "\nrun echo alive\n").write(toFile: script, atomically: true, encoding: .utf8)
        let line = "prlimit --nofile=64:64 \(Tmux.chopBinary) --json -q \(script) >\(folder)/out 2>\(folder)/err"
        let status = try Command.run(["/bin/sh", "-c", line]).status
        let out = (try? String(contentsOfFile: folder + "/out", encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: folder + "/err", encoding: .utf8)) ?? ""
        XCTAssertEqual(status, 1, "some hosts fail, chop itself does not: \(err)")
        let hosts =
            out.split(separator: "\n").compactMap { line -> [[String: Any]]? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                    return nil
                }
                return object["hosts"] as? [[String: Any]]
            }.last ?? []
        XCTAssertEqual(hosts.count, 60, out)
        let ok = hosts.filter { ($0["status"] as? String) == "ok" && ($0["stdout"] as? String) == "alive\n" }
        let failed = hosts.filter { ($0["status"] as? String) != "ok" }
        XCTAssertGreaterThan(ok.count, 0, "the members that fit must work: \(out)")
        XCTAssertGreaterThan(failed.count, 0, "64 descriptors cannot hold 60 members: \(out)")
        for host in failed {
            let message = host["reason"] as? String ?? "no reason"
            XCTAssertTrue(message.contains("too many open files") && message.contains("ulimit -n"), message)
            XCTAssertFalse(message.contains("\n"), message)
        }
    }
}
