import Foundation
import TestSupport
import XCTest

@testable import Chopsticks

/// Trees to and from leaves behind a gateway: `put -r` and `sync` send each file to the gateway once for all its
/// leaves (counted in the bytes written into the gateway's pipe), and `fetch -r` comes back through it.
final class GatewayTreesTests: XCTestCase {
    private func fleet(_ count: Int) throws -> (gateway: Tunnel, leaves: [Tunnel]) {
        let gateway = Tunnel(try Local("gw1"))
        let leaves = try (1...count).map { Tunnel(try GatewayLeaf(try Local("leaf\($0)"), gateways: [gateway])) }
        return (gateway, leaves)
    }

    /// Bytes written into the gateway's pipe so far.
    private func written(_ gateway: Tunnel) async throws -> Int {
        try await gateway.live().channel.pipeline.handler(type: FrameWriter.self).get().bytesWritten
    }

    private func makeTree(_ root: String) throws -> Int {
        let fm = FileManager.default
        try fm.createDirectory(atPath: root + "/sub/deeper", withIntermediateDirectories: true)
        _ = try writeRandomFile(root + "/big.bin", size: 1 << 20)
        _ = try writeRandomFile(root + "/sub/deeper/mid.bin", size: 300 << 10)
        try "hello\n".write(toFile: root + "/app.conf", atomically: false, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o640], ofItemAtPath: root + "/app.conf")
        try fm.createSymbolicLink(atPath: root + "/sub/link", withDestinationPath: "../app.conf")
        return (1 << 20) + (300 << 10) + 6
    }

    func testPutTreeAndSyncSendEachFileToTheGatewayOnceAndFetchTreeComesBack() async throws {
        let folder = try temporaryFolder(self)
        let size = try makeTree(folder + "/src")
        let (gateway, leaves) = try fleet(4)
        let group = try Group(leaves)
        let connected = await group.connect()
        XCTAssertTrue(connected.allSatisfy { $0.value != nil }, "\(connected)")

        var before = try await written(gateway)
        let put = await group.putTree(folder + "/src", folder + "/dest-{host}")
        var sent = try await written(gateway) - before
        for entry in put {
            let value = try XCTUnwrap(entry.value, "\(entry)")
            XCTAssertEqual(value.fileCount, 3, "\(entry)")
            XCTAssertEqual(value.files.map(\.size).reduce(0, +), size)
        }
        for index in 1...4 {
            let copy = folder + "/dest-leaf\(index)"
            XCTAssertEqual(try sha1sum(copy + "/big.bin"), try sha1sum(folder + "/src/big.bin"))
            XCTAssertEqual(try sha1sum(copy + "/sub/deeper/mid.bin"), try sha1sum(folder + "/src/sub/deeper/mid.bin"))
            XCTAssertEqual(try FileManager.default.destinationOfSymbolicLink(atPath: copy + "/sub/link"), "../app.conf")
        }
        // Once for the gateway (and a little for the listings and requests), not once per leaf.
        XCTAssertGreaterThan(sent, size)
        XCTAssertLessThan(sent, size + size / 4, "the gateway was sent \(sent) bytes for a \(size)-byte tree")

        // A sync that changes one file on the controller sends that file once; the leaves all get it.
        _ = try writeRandomFile(folder + "/src/sub/deeper/mid.bin", size: 200 << 10)
        before = try await written(gateway)
        let synced = await group.sync(folder + "/src", folder + "/dest-{host}")
        sent = try await written(gateway) - before
        for entry in synced {
            let value = try XCTUnwrap(entry.value, "\(entry)")
            XCTAssertTrue(value.changes.map(\.text).contains("~sub/deeper/mid.bin"), "\(entry)")
            XCTAssertEqual(value.fileCount, 1)
        }
        XCTAssertGreaterThan(sent, 200 << 10)
        XCTAssertLessThan(sent, (200 << 10) + (100 << 10), "the gateway was sent \(sent) bytes for one 200 KiB file")
        XCTAssertEqual(
            try sha1sum(folder + "/dest-leaf3/sub/deeper/mid.bin"), try sha1sum(folder + "/src/sub/deeper/mid.bin"))

        // Nothing left to send: only the listings go.
        before = try await written(gateway)
        let again = await group.sync(folder + "/src", folder + "/dest-{host}")
        sent = try await written(gateway) - before
        XCTAssertEqual(again.successful().map(\.value.fileCount), [0, 0, 0, 0], "\(again)")
        XCTAssertLessThan(sent, 64 << 10)

        let fetched = await group.fetchTree(folder + "/dest-leaf1", to: folder + "/back/{host}")
        XCTAssertTrue(fetched.allSatisfy { $0.value?.fileCount == 3 }, "\(fetched)")
        XCTAssertEqual(
            try sha1sum(folder + "/back/leaf3/sub/deeper/mid.bin"), try sha1sum(folder + "/src/sub/deeper/mid.bin"))
        let fetchedAll = try await leaves[1].fetchTree(folder + "/dest-leaf2", to: folder + "/back2")
        XCTAssertEqual(fetchedAll.fileCount, 3)
        XCTAssertEqual(try sha1sum(folder + "/back2/big.bin"), try sha1sum(folder + "/src/big.bin"))

        await group.close()
        await gateway.close()
        await assertNoStrayChildren()
    }

    /// A file that cannot be read here (gone since the tree was walked) fails on every leaf that wanted it, and
    /// the rest of the tree goes.
    func testAFileThatCannotBeReadFailsOnEachLeafAlone() async throws {
        let folder = try temporaryFolder(self)
        _ = try makeTree(folder + "/src")
        try "soon gone".write(toFile: folder + "/src/gone", atomically: false, encoding: .utf8)
        let (gateway, leaves) = try fleet(2)
        let group = try Group(leaves)
        let plan = try await TreePlan.prepare(
            folder + "/src", folder + "/dest-{host}", options: TreeOptions(everyFile: true), hosts: group.names,
            fanout: 8)
        try FileManager.default.removeItem(atPath: folder + "/src/gone")
        let put = await group.each { try await plan.put(on: $0) }
        for entry in put {
            let value = try XCTUnwrap(entry.value, "\(entry)")
            XCTAssertEqual(value.failures.map { String(decoding: $0.path, as: UTF8.self) }, ["gone"], "\(entry)")
            XCTAssertEqual(try sha1sum(folder + "/dest-\(entry.host)/big.bin"), try sha1sum(folder + "/src/big.bin"))
        }
        await group.close()
        await gateway.close()
    }
}
