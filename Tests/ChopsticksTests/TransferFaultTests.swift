import Chopsticks
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// A put that cannot finish leaves the destination as it was: no temporary file in its folder, the old file
/// untouched, and an error that says why.
final class TransferFaultTests: XCTestCase {
    /// Files in `folder` other than `keep`: a put's temporary files are `.NAME.chop-…`.
    private func leftovers(in folder: String, besides keep: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0 != keep }
    }

    /// A sparse file of `size` bytes: quick to make, and as long to send as any other.
    private func bigFile(_ path: String, size: Int) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThanOrEqual(fd, 0)
        XCTAssertEqual(ftruncate(fd, off_t(size)), 0)
        close(fd)
    }

    func testConnectionDroppedHalfWayLeavesNoTemporaryFileAndTheOldFile() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let destination = try temporaryFolder(self)
        try bigFile(folder + "/big", size: 1 << 30)
        try "old content\n".write(toFile: destination + "/app.conf", atomically: true, encoding: .utf8)
        let group = try Group([Tunnel(try fleet.ssh("web1"))])
        _ = await group.ping()
        let put = Task { await group.put(folder + "/big", destination + "/app.conf") }
        // Half-way: once the temporary file holds data, the ssh client dies (as when a network drops).
        var temporary: String?
        let writing = eventually(timeout: 20) {
            temporary = leftovers(in: destination, besides: "app.conf").first
            guard let temporary,
                let attributes = try? FileManager.default.attributesOfItem(
                    atPath: destination + "/" + temporary)
            else { return false }
            return ((attributes[.size] as? Int) ?? 0) > 1 << 20
        }
        XCTAssertTrue(writing, "the put never started writing: \(leftovers(in: destination, besides: "app.conf"))")
        XCTAssertTrue(temporary?.hasPrefix(".app.conf.chop-") == true, "\(temporary ?? "none")")
        let ssh = ProcessTree.descendants().filter { ProcessTree.commandLine($0).hasPrefix("ssh ") }
        XCTAssertEqual(ssh.count, 1, ssh.map(ProcessTree.commandLine).joined(separator: "\n"))
        for pid in ssh { kill(pid, SIGKILL) }
        let result = await put.value
        let error = try XCTUnwrap(result.entries.first?.error, "a put whose connection dropped must fail")
        XCTAssertEqual(error.kind, .connection, error.msg)
        XCTAssertFalse(error.msg.contains("\n"), error.msg)
        XCTAssertTrue(
            eventually(timeout: 5) { leftovers(in: destination, besides: "app.conf").isEmpty },
            "temporary file left behind: \(leftovers(in: destination, besides: "app.conf"))")
        XCTAssertEqual(try String(contentsOfFile: destination + "/app.conf", encoding: .utf8), "old content\n")
        await group.close()
    }

    func testFullDiskIsANoSpaceErrorAndTheOldFileStays() async throws {
        let folder = try temporaryFolder(self)
        let mountPoint = folder + "/small"
        try mountSmallDisk(mountPoint, for: self)
        try "old content\n".write(toFile: mountPoint + "/app.conf", atomically: true, encoding: .utf8)
        try bigFile(folder + "/big", size: 4 << 20)
        let group = try Group([Tunnel(try Local("l1"))])
        let result = await group.put(folder + "/big", mountPoint + "/app.conf")
        await group.close()
        let message = result.entries.first?.error?.msg ?? "no error"
        XCTAssertTrue(message.contains("No space left on device"), message)
        XCTAssertTrue(message.contains(mountPoint), "the error names the file: \(message)")
        XCTAssertFalse(message.contains("\n"), message)
        XCTAssertEqual(try String(contentsOfFile: mountPoint + "/app.conf", encoding: .utf8), "old content\n")
        XCTAssertEqual(leftovers(in: mountPoint, besides: "app.conf"), [])
    }

    /// A fetch writes each host's file on that host's own queue: one host's disk failing half-way (a 1 MiB tmpfs
    /// for a 4 MiB file) fails that host alone, with the reason and no partial file, while the others' copies
    /// arrive whole.
    func testAFetchWhoseDiskFillsFailsThatHostAloneAndLeavesNoPartialFile() async throws {
        let folder = try temporaryFolder(self)
        let mountPoint = folder + "/l1"
        try mountSmallDisk(mountPoint, for: self)
        try bigFile(folder + "/big", size: 4 << 20)
        let group = try Group(["l1", "l2", "l3"].map { Tunnel(try Local($0)) })
        let result = await group.fetch(folder + "/big", to: folder + "/{host}/big")
        await group.close()
        let message = result.entries.first { $0.host == "l1" }?.error?.msg ?? "no error"
        XCTAssertTrue(message.contains("No space left on device"), message)
        XCTAssertEqual(leftovers(in: mountPoint, besides: ""), [])
        let expected = try Command.run(["sha1sum", folder + "/big"]).output.prefix(40)
        XCTAssertEqual(result.successful().map(\.host).sorted(), ["l2", "l3"])
        for (_, fetched) in result.successful() {
            XCTAssertEqual(fetched.sha1sum, String(expected))
            XCTAssertEqual(try Command.run(["sha1sum", fetched.localPath]).output.prefix(40), expected)
        }
    }
}
