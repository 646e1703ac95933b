import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Directory trees in the library: `Group.putTree`, `Group.sync`, `Group.fetchTree` on Local members (and the
/// loopback sshd), with every bad input the issue names.
final class TreeTests: XCTestCase {
    /// A tree with a 0640 file, a 0755 script with an old mtime, a symlink, a symlink loop, an empty 0700 folder
    /// and a fifo (skipped).
    private func makeTree(_ root: String) throws {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/sub/deeper", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        try "hello\n".write(toFile: root + "/app.conf", atomically: false, encoding: .utf8)
        try "#!/bin/sh\necho hi\n".write(toFile: root + "/sub/run.sh", atomically: false, encoding: .utf8)
        try Data(repeating: 7, count: 600 * 1024).write(to: URL(fileURLWithPath: root + "/sub/deeper/big.bin"))
        try fm.setAttributes([.posixPermissions: 0o640], ofItemAtPath: root + "/app.conf")
        try fm.setAttributes(
            [.posixPermissions: 0o755, .modificationDate: Date(timeIntervalSince1970: 1_500_000_000)],
            ofItemAtPath: root + "/sub/run.sh")
        try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: root + "/empty")
        try fm.createSymbolicLink(atPath: root + "/sub/link", withDestinationPath: "../app.conf")
        try fm.createSymbolicLink(atPath: root + "/loop", withDestinationPath: "loop")
        XCTAssertEqual(mkfifo(root + "/fifo", 0o644), 0)
    }

    private func mode(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_mode) & 0o7777 : -1
    }

    private func mtime(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mtim.tv_sec : -1
    }

    /// The one host's tree, or its error thrown.
    private func only(_ result: GroupResult<TreeResult>) throws -> TreeResult {
        try result[0].result.get()
    }

    private func localGroup(_ count: Int) throws -> Group {
        try Group((1...count).map { Tunnel(try Local("l\($0)")) })
    }

    private func assertSameTree(_ source: String, _ copy: String, file: StaticString = #filePath, line: UInt = #line) {
        let fm = FileManager.default
        XCTAssertEqual(
            try fm.contentsOfDirectory(atPath: copy).sorted(), ["app.conf", "empty", "loop", "sub"], file: file,
            line: line)
        XCTAssertEqual(
            fm.contents(atPath: copy + "/sub/deeper/big.bin"), fm.contents(atPath: source + "/sub/deeper/big.bin"))
        XCTAssertEqual(mode(copy + "/app.conf"), 0o640, file: file, line: line)
        XCTAssertEqual(mode(copy + "/sub/run.sh"), 0o755, file: file, line: line)
        XCTAssertEqual(mtime(copy + "/sub/run.sh"), 1_500_000_000, file: file, line: line)
        XCTAssertEqual(mode(copy + "/empty"), 0o700, file: file, line: line)
        XCTAssertEqual(
            try fm.destinationOfSymbolicLink(atPath: copy + "/sub/link"), "../app.conf", file: file, line: line)
        XCTAssertEqual(try fm.destinationOfSymbolicLink(atPath: copy + "/loop"), "loop", file: file, line: line)
    }

    func testPutTreeKeepsModesMtimesSymlinksAndEmptyFoldersAndSkipsFifos() async throws {
        let folder = try temporaryFolder(self)
        try makeTree(folder + "/src")
        let group = try localGroup(3)
        let result = await group.putTree(folder + "/src", folder + "/dest-{host}")
        await group.close()
        XCTAssertEqual(result.failures().count, 0, "\(result.failures().map(\.error))")
        for entry in result.successful() {
            assertSameTree(folder + "/src", folder + "/dest-\(entry.host)")
            XCTAssertEqual(entry.value.fileCount, 3)
            XCTAssertEqual(entry.value.byteCount, 6 + 18 + 600 * 1024)
            XCTAssertEqual(entry.value.skipped, 1)
            XCTAssertTrue(entry.value.changed)
            XCTAssertEqual(Set(entry.value.files.map(\.sha1)).count, 3)
        }
        // No temporary name is left anywhere.
        let leftovers = FileManager.default.enumerator(atPath: folder)!.compactMap { $0 as? String }
            .filter { $0.contains(".chop-") }
        XCTAssertEqual(leftovers, [])
    }

    func testEachFileIsReadOnceForAllHostsOfAWave() async throws {
        let folder = try temporaryFolder(self)
        try makeTree(folder + "/src")
        let group = try localGroup(4)
        let hosts = group.names
        let plan = try await TreePlan.prepare(
            folder + "/src", folder + "/dest-{host}", options: TreeOptions(everyFile: true), hosts: hosts,
            fanout: 64)
        let result = await group.each { try await plan.put(on: $0) }
        XCTAssertEqual(result.failures().count, 0, "\(result.failures().map(\.error))")
        let read = await plan.filesRead()
        XCTAssertEqual(read, 3, "three files, four hosts: each file read once")
        // Waves of two: each file read once per wave.
        let waves = try await TreePlan.prepare(
            folder + "/src", folder + "/again-{host}", options: TreeOptions(everyFile: true), hosts: hosts,
            fanout: 2)
        var narrow = group
        narrow.fanout = 2
        _ = await narrow.each { try await waves.put(on: $0) }
        let readInWaves = await waves.filesRead()
        XCTAssertEqual(readInWaves, 6)
        await group.close()
    }

    func testPreconnectOpensTheFirstFanoutMembersOnly() async throws {
        var group = try localGroup(3)
        group.fanout = 2
        group.preconnect()
        let first = group.tunnels.prefix(2)
        let up = await waitUntil(timeout: 20) { first.allSatisfy { $0.state == .up } }
        XCTAssertTrue(up, "\(first.map(\.state))")
        XCTAssertEqual(group.tunnels[2].state, .idle, "the third member waits for its turn")
        await group.close()
    }

    func testSyncSendsOnlyWhatDiffersAndReportsTheChanges() async throws {
        let folder = try temporaryFolder(self)
        let src = folder + "/src"
        try makeTree(src)
        let group = try localGroup(2)
        _ = await group.sync(src, folder + "/dest-{host}")
        let again = await group.sync(src, folder + "/dest-{host}")
        XCTAssertEqual(again.successful().map(\.value.changed), [false, false])
        XCTAssertEqual(again.successful().map(\.value.fileCount), [0, 0])
        // One host drifts: an extra file and a changed mode.
        try "stale".write(toFile: folder + "/dest-l2/old.conf", atomically: false, encoding: .utf8)
        try "hello, world\n".write(toFile: src + "/app.conf", atomically: false, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: src + "/sub/run.sh")
        let dry = await group.sync(src, folder + "/dest-{host}", delete: true, dryRun: true)
        XCTAssertEqual(
            dry[host: "l2"].flatMap { try? $0.get().changes.map(\.text) }, ["~app.conf", "~sub/run.sh", "-old.conf"])
        XCTAssertEqual(try String(contentsOfFile: folder + "/dest-l1/app.conf", encoding: .utf8), "hello\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/dest-l2/old.conf"))
        let synced = await group.sync(src, folder + "/dest-{host}", delete: true)
        await group.close()
        let l1 = try XCTUnwrap(try synced[host: "l1"]?.get())
        let l2 = try XCTUnwrap(try synced[host: "l2"]?.get())
        XCTAssertEqual(l1.changes.map(\.text), ["~app.conf", "~sub/run.sh"])
        XCTAssertEqual(l1.changes.map(\.what), [["content"], ["mode"]])
        XCTAssertEqual(l2.changes.map(\.text), ["~app.conf", "~sub/run.sh", "-old.conf"])
        XCTAssertNotEqual(l1.changeDigest, l2.changeDigest)
        XCTAssertEqual(l1.fileCount, 1, "only the changed file is sent")
        XCTAssertEqual(try String(contentsOfFile: folder + "/dest-l2/app.conf", encoding: .utf8), "hello, world\n")
        XCTAssertEqual(mode(folder + "/dest-l2/sub/run.sh"), 0o700)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/dest-l2/old.conf"))
    }

    func testChecksumFindsAChangeThatSizeAndMtimeMiss() async throws {
        let folder = try temporaryFolder(self)
        let src = folder + "/src"
        try makeTree(src)
        let group = try localGroup(1)
        _ = await group.sync(src, folder + "/dest")
        let when = Date(timeIntervalSince1970: 1_600_000_000)
        try "HELLO\n".write(toFile: folder + "/dest/app.conf", atomically: false, encoding: .utf8)
        for path in [src + "/app.conf", folder + "/dest/app.conf"] {
            try FileManager.default.setAttributes([.modificationDate: when], ofItemAtPath: path)
        }
        let quick = await group.sync(src, folder + "/dest")
        XCTAssertEqual(quick.successful().first?.value.changeCount, 0)
        let thorough = await group.sync(src, folder + "/dest", checksum: true)
        await group.close()
        XCTAssertEqual(thorough.successful().first?.value.changes.map(\.text), ["~app.conf"])
        XCTAssertEqual(try String(contentsOfFile: folder + "/dest/app.conf", encoding: .utf8), "hello\n")
    }

    func testFetchTreeCopiesEachHostsTreeAndRefusesLinksThatClimbOut() async throws {
        let folder = try temporaryFolder(self)
        let src = folder + "/src"
        try makeTree(src)
        try FileManager.default.createSymbolicLink(atPath: src + "/abs", withDestinationPath: "/etc/passwd")
        try FileManager.default.createSymbolicLink(atPath: src + "/sub/up", withDestinationPath: "../../outside")
        let group = try localGroup(2)
        let result = await group.fetchTree(src, to: folder + "/fetched/{host}/src")
        await group.close()
        for host in ["l1", "l2"] {
            let tree = try XCTUnwrap(try result[host: host]?.get())
            XCTAssertEqual(tree.fileCount, 3)
            XCTAssertEqual(Set(tree.failures.map { String(decoding: $0.path, as: UTF8.self) }), ["abs", "sub/up"])
            XCTAssertTrue(tree.failures.allSatisfy { $0.message.contains("points out of the tree") })
            XCTAssertEqual(tree.skipped, 1)
            assertSameTree(src, folder + "/fetched/\(host)/src")
            XCTAssertNil(
                try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/fetched/\(host)/src/abs"))
        }
    }

    func testGlobFetchesEveryMatchAndNoMatchIsAnError() async throws {
        let folder = try temporaryFolder(self)
        for name in ["a.log", "b.log", "c.txt"] {
            try name.write(toFile: folder + "/" + name, atomically: false, encoding: .utf8)
        }
        let tunnel = Tunnel(try Local("l1"))
        let result = try await tunnel.fetchTree(folder + "/*.log", to: folder + "/got", glob: true, recursive: false)
        XCTAssertEqual(result.fileCount, 2)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: folder + "/got").sorted(), ["a.log", "b.log"])
        do {
            _ = try await tunnel.fetchTree(folder + "/*.gz", to: folder + "/none", glob: true, recursive: false)
            XCTFail("no match must fail")
        } catch {
            XCTAssertTrue("\(ErrorResult(error).msg)".contains("no file matches \(folder)/*.gz"), "\(error)")
        }
        await tunnel.close()
    }

    // MARK: Bad input

    func testALocalPathThatIsNotAFolderIsOneClearError() async throws {
        let folder = try temporaryFolder(self)
        try "x".write(toFile: folder + "/file", atomically: false, encoding: .utf8)
        let group = try localGroup(1)
        let result = await group.putTree(folder + "/file", folder + "/dest")
        await group.close()
        XCTAssertEqual(
            result.failures().first?.error?.msg,
            "\(folder)/file is not a directory (put -r and sync copy folders; put copies a file)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/dest"))
    }

    func testARemoteFileWhereAFolderIsNeededAndTheReverse() async throws {
        let folder = try temporaryFolder(self)
        try makeTree(folder + "/src")
        try "x".write(toFile: folder + "/target", atomically: false, encoding: .utf8)
        let group = try localGroup(1)
        let refused = await group.putTree(folder + "/src", folder + "/target")
        XCTAssertEqual(
            refused.failures().first?.error?.msg, "NotADirectoryError: \(folder)/target is a file, not a directory")
        // Inside the tree: a file where the tree has a folder, a folder where it has a file.
        try FileManager.default.createDirectory(atPath: folder + "/dest/app.conf", withIntermediateDirectories: true)
        try "x".write(toFile: folder + "/dest/sub", atomically: false, encoding: .utf8)
        let mixed = try only(await group.putTree(folder + "/src", folder + "/dest"))
        let fetched = await group.fetchTree(folder + "/target", to: folder + "/got")
        await group.close()
        XCTAssertTrue(mixed.isFailure)
        let messages = mixed.failures.map(\.message)
        XCTAssertTrue(
            messages.contains { $0.hasSuffix("/dest/app.conf is a directory where the tree has a file") }, "\(messages)"
        )
        XCTAssertTrue(
            messages.contains { $0.hasSuffix("/dest/sub is a file where the tree has a directory") }, "\(messages)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/dest/empty"), "the rest arrived")
        XCTAssertEqual(
            fetched.failures().first?.error?.msg,
            "NotADirectoryError: \(folder)/target is a file, not a directory (fetch without -r takes a file)")
    }

    func testAFullDiskMidTreeListsTheFilesThatFailedAndKeepsTheRest() async throws {
        let folder = try temporaryFolder(self)
        let mountPoint = folder + "/small"
        try mountSmallDisk(mountPoint, for: self)
        let src = folder + "/src"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for index in 0..<6 {
            try Data(repeating: UInt8(index), count: 300 * 1024).write(to: URL(fileURLWithPath: "\(src)/f\(index)"))
        }
        let group = try localGroup(1)
        let result = try only(await group.putTree(src, mountPoint + "/dest"))
        await group.close()
        XCTAssertTrue(result.isFailure)
        XCTAssertGreaterThan(result.fileCount, 0)
        XCTAssertEqual(result.fileCount + result.failureCount, 6)
        XCTAssertTrue(
            result.failures.allSatisfy { $0.message.contains("No space left on device") }, "\(result.failures)")
        let arrived = try FileManager.default.contentsOfDirectory(atPath: mountPoint + "/dest")
        XCTAssertEqual(arrived.count, result.fileCount, "only whole files, no temporary name: \(arrived)")
        for name in arrived {
            XCTAssertEqual(
                FileManager.default.contents(atPath: "\(mountPoint)/dest/\(name)"),
                FileManager.default.contents(atPath: "\(src)/\(name)"))
        }
    }

    func testNamesWithNewlinesSpacesAndBytesThatAreNotUTF8() async throws {
        let folder = try temporaryFolder(self)
        let src = folder + "/src"
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        let odd: [UInt8] = Array("caf".utf8) + [0xE9] + Array(" \nname".utf8)
        let path = Array(src.utf8) + [UInt8(ascii: "/")] + odd + [0]
        let fd = path.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                open($0, O_WRONLY | O_CREAT, 0o644)
            }
        }
        XCTAssertGreaterThanOrEqual(fd, 0)
        _ = write(fd, "abc", 3)
        close(fd)
        let group = try localGroup(1)
        let put = try only(await group.putTree(src, folder + "/dest"))
        let back = try only(await group.fetchTree(folder + "/dest", to: folder + "/back"))
        await group.close()
        XCTAssertEqual(put.files.map(\.path), [odd])
        XCTAssertEqual(back.files.map(\.path), [odd])
        for copy in [folder + "/dest", folder + "/back"] {
            let names = try names(in: copy)
            XCTAssertEqual(names, [odd], copy)
        }
    }

    /// The raw names in a folder (FileManager would decode them).
    private func names(in folder: String) throws -> [[UInt8]] {
        guard let dir = opendir(folder) else { throw ErrorResult("cannot open \(folder)", kind: .local) }
        defer { closedir(dir) }
        var names: [[UInt8]] = []
        while let item = readdir(dir) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            if name != [46] && name != [46, 46] { names.append(name) }
        }
        return names
    }

    func testATreeOfAHundredThousandFilesWorks() async throws {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let folder = base + "/chop-test-100k-" + UUID().uuidString.prefix(8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        let src = folder + "/src"
        for dir in 0..<100 {
            try FileManager.default.createDirectory(atPath: "\(src)/d\(dir)", withIntermediateDirectories: true)
            for file in 0..<1000 {
                let path = "\(src)/d\(dir)/f\(file)"
                XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: Data("\(dir).\(file)".utf8)))
            }
        }
        let group = try localGroup(1)
        let first = try only(await group.putTree(src, folder + "/dest"))
        XCTAssertEqual(first.fileCount, 100_000)
        XCTAssertEqual(first.files.count, TreeResult.listLimit, "lists stay bounded")
        XCTAssertLessThanOrEqual(first.changes.count, TreeResult.listLimit)
        let again = try only(await group.sync(src, folder + "/dest"))
        await group.close()
        XCTAssertEqual(again.changeCount, 0)
        XCTAssertEqual(try String(contentsOfFile: folder + "/dest/d99/f999", encoding: .utf8), "99.999")
    }

    /// The controller's memory is flat in the number of files: the walk holds one listing frame's entries at a
    /// time and spills the listing to a temporary file, from which every host's copy is read.
    func testTheListingWaitsInATemporaryFileNotInMemory() async throws {
        let folder = try temporaryFolder(self)
        for dir in 0..<3 {
            try FileManager.default.createDirectory(atPath: "\(folder)/src/d\(dir)", withIntermediateDirectories: true)
            for file in 0..<900 {
                XCTAssertTrue(
                    FileManager.default.createFile(
                        atPath: "\(folder)/src/d\(dir)/f\(file)", contents: Data("\(dir).\(file)".utf8)))
            }
        }
        let tree = try LocalTree.read(folder + "/src")
        XCTAssertEqual(tree.entryCount, 1 + 3 + 2700)
        XCTAssertEqual(tree.fileCount, 2700)
        XCTAssertEqual(tree.frameCount, 3, "2,704 entries: frames of 1,000")
        XCTAssertLessThanOrEqual(tree.heldEntriesPeak, 1000, "one frame's entries held at a time, not the tree")
        let group = try localGroup(2)
        let result = await group.putTree(folder + "/src", folder + "/dest-{host}")
        await group.close()
        XCTAssertEqual(result.failures().count, 0, "\(result.failures().map(\.error))")
        for entry in result.successful() {
            XCTAssertEqual(entry.value.fileCount, 2700)
            XCTAssertEqual(
                try String(contentsOfFile: "\(folder)/dest-\(entry.host)/d2/f899", encoding: .utf8), "2.899")
        }
    }

    func testPermissionDeniedOnOneFolderTheRestStillArrive() async throws {
        let fleet = try requireSudoPasswordUser()
        let folder = try temporaryFolder(self)
        try makeTree(folder + "/src")
        // The remote side runs as chopsudo: /tmp/… is its, but sub/ belongs to root and is closed.
        let dest = "/tmp/chop-tree-denied-" + UUID().uuidString.prefix(8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dest) }
        try FileManager.default.createDirectory(atPath: dest + "/sub", withIntermediateDirectories: true)
        XCTAssertEqual(try Command.run(["chown", SSHFleet.sudoUser, dest]).status, 0)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dest + "/sub")
        let group = try Group([Tunnel(try fleet.ssh("sudopw"))])
        let result = try only(await group.putTree(folder + "/src", dest))
        await group.close()
        XCTAssertTrue(result.isFailure)
        XCTAssertEqual(
            Set(result.failures.map { String(decoding: $0.path, as: UTF8.self) }),
            ["sub/deeper", "sub/deeper/big.bin", "sub/run.sh", "sub/link"])
        let runScript = result.failures.first { $0.path == Array("sub/run.sh".utf8) }
        XCTAssertEqual(runScript?.message, "cannot create a file in \(dest)/sub: Permission denied")
        XCTAssertEqual(try String(contentsOfFile: dest + "/app.conf", encoding: .utf8), "hello\n")
        XCTAssertTrue(FileManager.default.fileExists(atPath: dest + "/empty"))
    }

    func testTreesOverTheLoopbackSSHD() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        try makeTree(folder + "/src")
        let group = try Group(["web1", "web2", "web3"].map { Tunnel(try fleet.ssh($0)) })
        let put = await group.putTree(folder + "/src", folder + "/dest-{host}")
        XCTAssertEqual(put.failures().count, 0, "\(put.failures().map(\.error))")
        let synced = await group.sync(folder + "/src", folder + "/dest-{host}")
        XCTAssertEqual(synced.successful().map(\.value.changed), [false, false, false])
        let fetched = await group.fetchTree(folder + "/dest-web1", to: folder + "/fetched/{host}")
        await group.close()
        for host in ["web1", "web2", "web3"] {
            assertSameTree(folder + "/src", folder + "/dest-\(host)")
            assertSameTree(folder + "/src", folder + "/fetched/\(host)")
            XCTAssertEqual(try fetched[host: host]?.get().fileCount, 3)
        }
    }
}
