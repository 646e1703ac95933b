import Foundation
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
