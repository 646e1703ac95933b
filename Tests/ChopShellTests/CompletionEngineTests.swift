import Foundation
import NIOConcurrencyHelpers
import TestSupport
import XCTest

@testable import ChopShell

final class CompletionEngineTests: XCTestCase {
    let engine = CompletionEngine(
        members: ["web1", "web2", "db1"], knownHosts: ["alpha", "web1"],
        factNames: ["hostname", "loadavg", "memory"], containers: ContainerNames(list: { ["pg", "redis"] }))

    func testCommandNamesAndTargets() {
        XCTAssertEqual(engine.complete("fa").candidates, ["facts", "failures"])
        XCTAssertEqual(engine.complete("@we").candidates, ["@web1", "@web2"])
        XCTAssertEqual(engine.complete("@web1 pi").candidates, ["ping"])
        XCTAssertEqual(engine.complete("@f").candidates, ["@failed"])
    }

    func testArgumentsByCommand() {
        XCTAssertEqual(engine.complete("set ").candidates, Setting.keys.sorted())
        XCTAssertEqual(engine.complete("set output ").candidates, ["auto", "blocks", "json", "lines", "table"])
        XCTAssertEqual(engine.complete("remove w").candidates, ["web1", "web2"])
        XCTAssertEqual(engine.complete("show d").candidates, ["db1"])
        XCTAssertEqual(engine.complete("facts lo").candidates, ["loadavg"])
        XCTAssertEqual(engine.complete("add a").candidates, ["alpha"])
        XCTAssertEqual(engine.complete("add d").candidates, ["docker"])
        // Container names are asked for only now, in the background; Tab never waits for docker.
        XCTAssertTrue(eventually(timeout: 5) { engine.complete("add container r").candidates == ["redis"] })
        XCTAssertEqual(engine.complete("run ").candidates, [])
    }

    func testLocalPathsForPutAndSource() throws {
        let folder = NSTemporaryDirectory() + "chop-complete-" + UUID().uuidString.prefix(6)
        try FileManager.default.createDirectory(atPath: "\(folder)/sub", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(folder)/script.chop", contents: Data())
        defer { try? FileManager.default.removeItem(atPath: folder) }
        XCTAssertEqual(engine.complete("put \(folder)/s").candidates, ["\(folder)/script.chop", "\(folder)/sub/"])
        XCTAssertEqual(engine.complete("source \(folder)/sc").candidates, ["\(folder)/script.chop"])
        XCTAssertEqual(CompletionEngine.commonPrefix(["web1", "web2"]), "web")
    }
}

extension CompletionEngineTests {
    /// Which arguments ask a host for paths (and with which target), which complete locally, and `%N`.
    func testRemoteLocalAndResultArguments() {
        let asked = NIOLockedValueBox<[String]>([])
        var engine = self.engine
        engine.results = [3, 4]
        engine.remotePaths = { target, prefix in
            asked.withLockedValue { $0.append("\(target ?? "-") \(prefix)") }
            return ["/etc/hosts", "/etc/hostname"]
        }
        XCTAssertEqual(engine.complete("fetch /etc/ho").candidates, ["/etc/hostname", "/etc/hosts"])
        XCTAssertEqual(engine.complete("@web1 put ./a /etc/ho").candidates, ["/etc/hostname", "/etc/hosts"])
        XCTAssertEqual(asked.withLockedValue { $0 }, ["- /etc/ho", "web1 /etc/ho"])
        // Local arguments stay local: put's first, fetch's second.
        _ = engine.complete("put /etc/ho")
        XCTAssertEqual(asked.withLockedValue { $0 }.count, 2)
        _ = engine.complete("fetch /etc/hosts ./lo")
        XCTAssertEqual(asked.withLockedValue { $0 }.count, 2)
        XCTAssertEqual(engine.complete("last %").candidates, ["%3", "%4"])
        XCTAssertEqual(engine.complete("show %").candidates, ["%3", "%4"])
        XCTAssertEqual(engine.complete("@%4.f").candidates, ["@%4.failed"])
        XCTAssertEqual(engine.complete("@unk").candidates, ["@unknown-key"])
    }
}

extension CompletionEngineTests {
    /// A hostile host answers the path listing with a name that would become two words (the second a local
    /// file to write), names carrying escape sequences, a newline and a bidi override. Only the first survives,
    /// escaped so the line reads it as one remote path, and nothing Tab could print holds a raw control.
    func testHostileRemotePathsAreDroppedOrEscaped() throws {
        var engine = self.engine
        let hostile = [
            "/var/log/syslog ~/.ssh/authorized_keys", "/var/log/\u{1B}]0;owned\u{07}", "/var/log/x\nrun rm -rf ~",
            "/var/log/\u{9B}2J", "/var/log/\u{202E}gol.txt", "/var/log/a\tb", "/var/log/it's;#\"\\",
        ]
        engine.remotePaths = { _, _ in hostile }
        let (word, candidates) = engine.complete("fetch /var/log/")
        XCTAssertEqual(word, "/var/log/")
        XCTAssertEqual(
            candidates, ["/var/log/it\\'s\\;\\#\\\"\\\\", "/var/log/syslog\\ ~/.ssh/authorized_keys"])
        // Each inserted candidate is one word: the remote path exactly as the host named it.
        for (candidate, path) in zip(candidates, [hostile[6], hostile[0]]) {
            let line = try XCTUnwrap(CommandParser.parse("fetch \(candidate)"))
            XCTAssertEqual(line.command as? FetchCommand, FetchCommand(remote: path, localTemplate: nil))
        }
        // What Tab prints: no ESC, C1 or bidi control, even for names that skip the filter (local files).
        for text in [CompletionEngine.listing(candidates, width: 80), CompletionEngine.listing(hostile, width: 80)] {
            XCTAssertFalse(
                text.unicodeScalars.contains {
                    $0.value == 0x1B || (0x80...0x9F).contains($0.value) || $0 == "\u{202E}"
                },
                text)
        }
    }
}
