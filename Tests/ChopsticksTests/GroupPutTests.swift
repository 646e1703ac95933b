import Chopsticks
import Foundation
import TestSupport
import XCTest

/// A put to many hosts reads the local file once per wave of `fanout` hosts, keeps every host's copy whole, and
/// never lets a failing host hold the others back.
final class GroupPutTests: XCTestCase {
    /// Bytes this process has read so far (`rchar` in /proc/self/io): counts every read, from files or pipes.
    private func bytesRead() throws -> Int {
        let io = try String(contentsOfFile: "/proc/self/io", encoding: .utf8)
        let line = io.split(separator: "\n").first { $0.hasPrefix("rchar:") }
        return Int(line?.split(separator: " ").last ?? "") ?? 0
    }

    private func putToLocalMembers(count: Int, fanout: Int, broken: Bool = false) async throws -> (
        GroupResult<PutResult>, size: Int, read: Int, sha1: String
    ) {
        let folder = try temporaryFolder(self)
        let path = folder + "/payload"
        // 20 MiB: more than the 16 MiB a source keeps ahead of its slowest host, so the window is exercised.
        var bytes = [UInt8](repeating: 0, count: 20 << 20)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
        let data = Data(bytes)
        try data.write(to: URL(fileURLWithPath: path))
        let sha1 = try Command.run(["sha1sum", path]).output.split(separator: " ")[0]
        var tunnels = try (1...count).map { Tunnel(try Local("l\($0)")) }
        if broken { tunnels.insert(Tunnel(try Local("broken", python: "/nonexistent/python3")), at: 1) }
        let group = try Group(tunnels, fanout: fanout)
        _ = await group.ping()  // connect first: the agents' start-up reads are not the put's
        let before = try bytesRead()
        let result = await group.put(path)
        let read = try bytesRead() - before
        for entry in result.entries {
            if case .success(let put) = entry.result { try? FileManager.default.removeItem(atPath: put.remotePath) }
        }
        await group.close()
        return (result, data.count, read, String(sha1))
    }

    func testOneReadForAllHostsOfAWave() async throws {
        let (result, size, read, sha1) = try await putToLocalMembers(count: 6, fanout: 64)
        XCTAssertEqual(result.failures().count, 0, "\(result.failures().map(\.error))")
        XCTAssertEqual(Set(result.successful().map(\.value.sha1sum)), [sha1])
        XCTAssertEqual(Set(result.successful().map(\.value.size)), [size])
        // Six hosts, one read of the file (plus the agents' small replies), not six.
        XCTAssertGreaterThanOrEqual(read, size)
        XCTAssertLessThan(read, size + size / 2, "read \(read) bytes for a \(size)-byte file to 6 hosts")
    }

    func testEachWaveReadsTheFileOnce() async throws {
        let (result, size, read, sha1) = try await putToLocalMembers(count: 5, fanout: 2)
        XCTAssertEqual(result.failures().count, 0, "\(result.failures().map(\.error))")
        XCTAssertEqual(Set(result.successful().map(\.value.sha1sum)), [sha1])
        // Waves of 2, 2 and 1 hosts: three reads.
        XCTAssertGreaterThanOrEqual(read, 3 * size)
        XCTAssertLessThan(read, 3 * size + size / 2)
    }

    func testAFailingHostDoesNotHoldTheOthersBack() async throws {
        let (result, _, _, sha1) = try await putToLocalMembers(count: 3, fanout: 64, broken: true)
        XCTAssertEqual(result.failures().map(\.host), ["broken"])
        XCTAssertEqual(result.successful().count, 3)
        XCTAssertEqual(Set(result.successful().map(\.value.sha1sum)), [sha1])
    }

    /// A host that refuses a put at once (its folder is missing) stops the sending: the file is not read to its
    /// end for nothing.
    func testAPutTheHostRefusesStopsReadingTheFile() async throws {
        let folder = try temporaryFolder(self)
        let path = folder + "/payload"
        let size = 64 << 20
        XCTAssertTrue(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size))  // sparse: cheap to make, read at full speed
        try handle.close()
        let group = try Group([Tunnel(try Local("refusing"))])
        _ = await group.ping()
        let before = try bytesRead()
        let result = await group.put(path, folder + "/no-such-folder/payload")
        let read = try bytesRead() - before
        await group.close()
        XCTAssertEqual(result.failures().map(\.host), ["refusing"])
        XCTAssertLessThan(read, size / 2, "read \(read) bytes of a \(size)-byte file the host refused at once")
    }

    func testAMissingFileFailsEveryHostWithOneMessage() async throws {
        let group = try Group([Tunnel(try Local("a")), Tunnel(try Local("b"))])
        let result = await group.put("/nonexistent/chop-file")
        let messages = Set(result.failures().compactMap(\.error?.msg))
        XCTAssertEqual(messages, ["local file not found: /nonexistent/chop-file"])
        await group.close()
    }
}
