import Chopsticks
import Foundation
import TestSupport
import XCTest

/// What chop writes on this machine: copies keep their source's permission bits (never wider), and a symlink
/// planted where chop writes (a fetched file, `./fetched/HOST`, a `record` file) never redirects the write.
final class LocalWritesTests: SessionTestCase {
    private func mode(_ path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
    }

    private func isSymlink(_ path: String) -> Bool {
        (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeSymbolicLink
    }

    /// A 0600 secret stays 0600 both ways; a set-id bit never comes along; `--mode` still wins.
    func testFetchAndPutKeepTheSourceMode() async throws {
        let folder = try temporaryFolder(self)
        await run("add local a")
        try "secret".write(toFile: "\(folder)/secret", atomically: true, encoding: .utf8)
        chmod("\(folder)/secret", 0o600)
        var step = await run("fetch \(folder)/secret \(folder)/fetched-secret")
        XCTAssertEqual(step.result, .ok, "\(step)")
        XCTAssertEqual(try mode("\(folder)/fetched-secret"), 0o600)
        step = await run("put \(folder)/secret \(folder)/put-secret")
        XCTAssertEqual(step.result, .ok, "\(step)")
        XCTAssertEqual(try mode("\(folder)/put-secret"), 0o600)
        try "#!/bin/sh\n".write(toFile: "\(folder)/tool", atomically: true, encoding: .utf8)
        chmod("\(folder)/tool", 0o4755)
        step = await run("fetch \(folder)/tool \(folder)/fetched-tool")
        XCTAssertEqual(try mode("\(folder)/fetched-tool"), LocalFile.copyMode(of: 0o755))
        step = await run("put \(folder)/tool \(folder)/put-tool")
        XCTAssertEqual(try mode("\(folder)/put-tool"), LocalFile.copyMode(of: 0o755))
        step = await run("put \(folder)/secret \(folder)/put-wide --mode 0644")
        XCTAssertEqual(try mode("\(folder)/put-wide"), 0o644)
    }

    /// A symlink planted at LOCAL is replaced by the fetched file; its target is untouched.
    func testFetchReplacesASymlinkPlantedAtItsTarget() async throws {
        let folder = try temporaryFolder(self)
        await run("add local a")
        try "victim".write(toFile: "\(folder)/victim", atomically: true, encoding: .utf8)
        try "fetched".write(toFile: "\(folder)/source", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/out", withDestinationPath: "\(folder)/victim")
        let step = await run("fetch \(folder)/source \(folder)/out")
        XCTAssertEqual(step.result, .ok, "\(step)")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/victim", encoding: .utf8), "victim")
        XCTAssertFalse(isSymlink("\(folder)/out"))
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/out", encoding: .utf8), "fetched")
        // Nothing is left beside it: no temporary file.
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["out", "source", "victim"])
    }

    /// `./fetched/HOST` planted as a symlink to another folder is refused: nothing is written there.
    func testFetchRefusesASymlinkAtFetchedHost() async throws {
        let folder = try temporaryFolder(self)
        let start = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(start) }
        await run("add local a")
        await run("add local b")
        try "data".write(toFile: "\(folder)/source.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(folder)/victim", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(folder)/fetched", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: "\(folder)/fetched/a", withDestinationPath: "\(folder)/victim")
        let step = await run("fetch \(folder)/source.txt")
        XCTAssertEqual(step.result, .hostsFailed, "\(step)")
        XCTAssertTrue(step.out.joined().contains("it is a symlink"), "\(step.out)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: "\(folder)/victim"), [])
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/fetched/b/source.txt", encoding: .utf8), "data")
    }

    /// `record FILE` with a symlink planted at FILE writes a new 0600 file there; the link's target is untouched.
    func testRecordReplacesASymlinkPlantedAtItsFile() async throws {
        let folder = try temporaryFolder(self)
        try "victim".write(toFile: "\(folder)/victim", atomically: true, encoding: .utf8)
        chmod("\(folder)/victim", 0o644)
        try FileManager.default.createSymbolicLink(atPath: "\(folder)/s.chop", withDestinationPath: "\(folder)/victim")
        var step = await run("record \(folder)/s.chop")
        XCTAssertEqual(step.result, .ok, "\(step)")
        step = await run("set fanout 3")
        await run("record off")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/victim", encoding: .utf8), "victim")
        XCTAssertEqual(try mode("\(folder)/victim"), 0o644)
        XCTAssertFalse(isSymlink("\(folder)/s.chop"))
        XCTAssertEqual(try mode("\(folder)/s.chop"), 0o600)
        XCTAssertTrue(try String(contentsOfFile: "\(folder)/s.chop", encoding: .utf8).contains("set fanout 3\n"))
    }
}
