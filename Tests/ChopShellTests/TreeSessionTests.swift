import Chopsticks
import Foundation
import TestSupport
import XCTest

/// `put -r`, `fetch -r`, globs and `sync` through the session: rows per change list, the `changed` state and its
/// targets, `--json`, dry runs, and one clear line for each bad input.
final class TreeSessionTests: SessionTestCase {
    private func makeTree(_ root: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        try "hello\n".write(toFile: root + "/app.conf", atomically: false, encoding: .utf8)
        try "nginx\n".write(toFile: root + "/nginx.conf", atomically: false, encoding: .utf8)
        try "#!/bin/sh\n".write(toFile: root + "/sub/run.sh", atomically: false, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: root + "/sub/link", withDestinationPath: "../app.conf")
    }

    func testPutRecursiveRowsAndShowListsTheFiles() async throws {
        let folder = try temporaryFolder(self)
        try makeTree(folder + "/src")
        await run("add local w[1-3]")
        let step = await run("put -r \(folder)/src \(folder)/dest-{host}")
        XCTAssertEqual(step.result, .ok, "\(step)")
        XCTAssertTrue(
            step.out.contains { $0.hasPrefix("w[1-3] (3)  changed") && $0.contains("3 files, 22 bytes") }, "\(step.out)"
        )
        XCTAssertTrue(step.out.last?.hasPrefix("3 hosts: 3 changed ·") ?? false, "\(step.out)")
        let show = await run("show w2")
        let sha1 = try Command.run(["sha1sum", folder + "/src/nginx.conf"]).output.prefix(40)
        XCTAssertTrue(show.out.contains("nginx.conf  6 bytes  sha1 \(sha1)"), "\(show.out)")
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: folder + "/dest-w2/sub/link"), "../app.conf")
        // The same again: every host already has every byte.
        let again = await run("put -r \(folder)/src \(folder)/dest-{host}")
        XCTAssertTrue(again.out.contains { $0.hasPrefix("w[1-3] (3)  ok") && $0.contains("unchanged") }, "\(again.out)")
    }

    func testSyncGroupsHostsByTheirChangesAndNamesThem() async throws {
        let folder = try temporaryFolder(self)
        let src = folder + "/src"
        try makeTree(src)
        await run("add local w[1-4]")
        await run("sync \(src) \(folder)/dest-{host}")
        // w1 and w2 drift the same way, w3 another way, w4 not at all.
        for host in ["w1", "w2"] {
            try "old".write(toFile: "\(folder)/dest-\(host)/old.conf", atomically: false, encoding: .utf8)
        }
        try "drift".write(toFile: "\(folder)/dest-w3/nginx.conf", atomically: false, encoding: .utf8)
        try "hello again\n".write(toFile: src + "/app.conf", atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: "\(folder)/dest-w4/app.conf")
        try "hello again\n".write(toFile: "\(folder)/dest-w4/app.conf", atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes(
            [
                .modificationDate: try FileManager.default.attributesOfItem(atPath: src + "/app.conf")[
                    .modificationDate]!
            ],
            ofItemAtPath: "\(folder)/dest-w4/app.conf")
        let step = await run("sync \(src) \(folder)/dest-{host} --delete")
        XCTAssertEqual(step.result, .ok, "\(step)")
        XCTAssertTrue(
            step.out.contains { $0.hasPrefix("w[1-2] (2)  changed") && $0.hasSuffix("2 files: ~app.conf -old.conf") },
            "\(step.out)")
        XCTAssertTrue(
            step.out.contains { $0.hasPrefix("w3") && $0.hasSuffix("2 files: ~app.conf ~nginx.conf") }, "\(step.out)")
        XCTAssertTrue(step.out.contains { $0.hasPrefix("w4") && $0.hasSuffix("unchanged") }, "\(step.out)")
        XCTAssertTrue(step.out.last?.hasPrefix("4 hosts: 3 changed, 1 ok ·") ?? false, "\(step.out)")
        let changed = await run("@changed ping")
        XCTAssertTrue(changed.out.last?.hasPrefix("3 hosts:") ?? false, "\(changed.out)")
        let numbered = await run("@%2.unchanged ping")
        XCTAssertTrue(numbered.out.contains { $0.hasPrefix("w4 ") }, "\(numbered.out)")
        XCTAssertTrue(numbered.out.last?.hasPrefix("1 host:") ?? false, "\(numbered.out)")
        let both = await run("@%2.changed,%2.unchanged ping")
        XCTAssertTrue(both.out.last?.hasPrefix("4 hosts:") ?? false, "\(both.out)")
        await run("set output json")
        let json = await run("@w1 sync \(src) \(folder)/dest-{host} --dry-run")
        let text = json.out.joined(separator: "\n")
        XCTAssertTrue(text.contains("\"status\":\"ok\""), text)
        try "x".write(toFile: "\(folder)/dest-w1/new.conf", atomically: false, encoding: .utf8)
        let listed = await run("@w1 sync \(src) \(folder)/dest-{host} --delete --dry-run")
        let value = try JSONValue.parse(Array(listed.out.joined(separator: "\n").utf8))
        let host = value["hosts"].flatMap { if case .array(let hosts) = $0 { hosts.first } else { nil } }
        XCTAssertEqual(host?["status"], "changed")
        XCTAssertEqual(host?["value"]?["dry_run"], true)
        XCTAssertEqual(host?["value"]?["changes"], [["op": "-", "path": "new.conf", "kind": "f", "what": []]])
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder)/dest-w1/new.conf"), "a dry run touches nothing")
    }

    func testSetDryRunMakesSyncCompareAndTouchNothing() async throws {
        let folder = try temporaryFolder(self)
        try makeTree(folder + "/src")
        await run("add local w1")
        await run("set dry-run on")
        let step = await run("sync \(folder)/src \(folder)/dest")
        XCTAssertTrue(step.out.contains { $0.contains("dry run: would change 6 files: +app.conf") }, "\(step.out)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/dest"))
    }

    func testSingleFilePutSaysChangedThenUnchanged() async throws {
        let folder = try temporaryFolder(self)
        try "conf".write(toFile: folder + "/app.conf", atomically: false, encoding: .utf8)
        await run("add local w1")
        let first = await run("put \(folder)/app.conf \(folder)/copy")
        XCTAssertTrue(first.out.contains { $0.hasPrefix("w1    changed") }, "\(first.out)")
        let second = await run("put \(folder)/app.conf \(folder)/copy")
        XCTAssertTrue(
            second.out.contains { $0.hasPrefix("w1    ok") && $0.contains("unchanged: \(folder)/copy") },
            "\(second.out)")
        let unchanged = await run("@unchanged ping")
        XCTAssertEqual(unchanged.result, .ok)
    }

    func testFetchRecursiveAndGlobsLandUnderFetchedHost() async throws {
        let folder = try temporaryFolder(self)
        try makeTree(folder + "/src")
        let start = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(start) }
        await run("add local w[1-2]")
        let tree = await run("fetch -r \(folder)/src")
        XCTAssertEqual(tree.result, .ok, "\(tree)")
        XCTAssertTrue(tree.out.contains { $0.contains("3 files, 22 bytes → ") }, "\(tree.out)")
        XCTAssertEqual(
            try String(contentsOfFile: folder + "/fetched/w2/src/sub/run.sh", encoding: .utf8), "#!/bin/sh\n")
        let glob = await run("fetch \(folder)/src/*.conf")
        XCTAssertEqual(glob.result, .ok, "\(glob)")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder + "/fetched/w1").sorted(),
            ["app.conf", "nginx.conf", "src"])
        let none = await run("fetch \(folder)/src/*.log")
        XCTAssertEqual(none.result, .hostsFailed)
        let shown = await run("show w1")
        XCTAssertTrue(shown.out.joined().contains("no file matches \(folder)/src/*.log"), "\(shown.out)")
    }

    // MARK: Bad input: one line each, nothing done, the shell goes on

    func testAFileGivenToPutRecursiveIsOneLine() async throws {
        let folder = try temporaryFolder(self)
        try "x".write(toFile: folder + "/file", atomically: false, encoding: .utf8)
        await run("add local w1")
        let step = await run("put -r \(folder)/file \(folder)/dest")
        XCTAssertEqual(step.result, .error)
        XCTAssertEqual(
            step.err, ["chop: \(folder)/file is not a directory (put -r and sync copy folders; put copies a file)"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/dest"))
        let plain = await run("put \(folder) \(folder)/dest")
        XCTAssertEqual(plain.err, ["chop: \(folder) is a directory, not a file (put -r copies a folder)"])
        let after = await run("ping")
        XCTAssertEqual(after.result, .ok)
    }

    func testARemoteFileWhereSyncNeedsAFolderIsOneLinePerHost() async throws {
        let folder = try temporaryFolder(self)
        try makeTree(folder + "/src")
        try "x".write(toFile: folder + "/target", atomically: false, encoding: .utf8)
        await run("add local w1")
        let step = await run("sync \(folder)/src \(folder)/target")
        XCTAssertEqual(step.result, .hostsFailed)
        let shown = await run("show w1")
        XCTAssertTrue(shown.out.joined().contains("\(folder)/target is a file, not a directory"), "\(shown.out)")
        XCTAssertEqual(try String(contentsOfFile: folder + "/target", encoding: .utf8), "x")
    }

    func testUsageErrorsOfTheNewForms() async throws {
        for (line, message) in [
            ("put -r onlyone", "put -r needs a local folder and a remote folder"),
            ("put -r a b --mode 0644", "put -r keeps each file's own mode; drop --mode"),
            ("sync a", "sync needs a local folder and a remote folder"),
            ("sync a b --delete --delete", "--delete is given twice"),
            ("sync a b --force", "unknown option '--force' for sync"),
        ] {
            let step = await run(line)
            XCTAssertEqual(step.result, .error, line)
            XCTAssertTrue(step.err.first?.contains(message) ?? false, "\(line): \(step.err)")
            XCTAssertEqual(step.err.count, 1, line)
        }
    }
}
