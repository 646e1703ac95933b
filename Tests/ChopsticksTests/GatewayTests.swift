import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Leaves behind a Local gateway: the gateway's agent starts each leaf's tunnel and relays its frames, and the
/// controller sees one `Tunnel` per leaf all the same.
final class GatewayTests: XCTestCase {
    /// A gateway and `count` Local leaves behind it, spread over `gateways` gateways.
    private func fleet(_ count: Int, gateways: Int = 1, timeout: Int = 10) throws -> (
        gateways: [Tunnel], leaves: [Tunnel]
    ) {
        let hubs = try (1...gateways).map { Tunnel(try Local("gw\($0)"), connectTimeout: timeout) }
        let leaves = try (1...count).map { index in
            Tunnel(try GatewayLeaf(try Local("leaf\(index)"), gateways: hubs, pin: index - 1), connectTimeout: timeout)
        }
        return (hubs, leaves)
    }

    func testRunCallPutAndFetchGoThroughTheGateway() async throws {
        let (hubs, leaves) = try fleet(5)
        let group = try Group(leaves)
        let run = await group.run("echo hi; echo oops >&2; exit 3")
        for entry in run {
            let value = try XCTUnwrap(entry.value, "\(entry)")
            XCTAssertEqual(value.stdoutText, "hi\n")
            XCTAssertEqual(String(decoding: value.stderr, as: UTF8.self), "oops\n")
            XCTAssertEqual(value.status, 3)
        }
        let call = await group.call("os.getpid")
        let pids = Set(call.compactMap { $0.value })
        XCTAssertEqual(pids.count, 5, "each leaf has its own agent: \(call)")
        let folder = try temporaryFolder(self)
        let sha1 = try writeRandomFile("\(folder)/big.bin", size: 3 << 20)
        let put = await group.put("\(folder)/big.bin", "\(folder)/{host}.bin")
        for entry in put { XCTAssertEqual(entry.value?.sha1sum, sha1, "\(entry)") }
        let fetch = await group.fetch("\(folder)/leaf1.bin", to: "\(folder)/back/{host}")
        for entry in fetch { XCTAssertEqual(entry.value?.sha1sum, sha1, "\(entry)") }
        XCTAssertEqual(try sha1sum("\(folder)/back/leaf3"), sha1)
        // One process for the gateway here; the leaves are its children, not ours.
        XCTAssertEqual(hubs[0].state, .up)
        await group.close()
        await hubs[0].close()
        await assertNoStrayChildren()
    }

    /// Shipped code reaches a leaf through its gateway: the leaf's WANT and chop's answer are routed frames.
    func testShippedCodeIsImportedOnALeaf() async throws {
        let folder = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(folder)/gwpkg", withIntermediateDirectories: true)
        try "def triple(x):\n    return 3 * x\n".write(
            toFile: "\(folder)/gwpkg/__init__.py", atomically: true, encoding: .utf8)
        let (hubs, leaves) = try fleet(2)
        let group = try Group(leaves)
        let shipped = try await group.ship(["\(folder)/gwpkg"])
        XCTAssertTrue(shipped.allSatisfy { $0.value != nil }, "\(shipped)")
        let called = await group.call("gwpkg.triple", [14])
        XCTAssertEqual(called.map(\.value), [.int(42), .int(42)], "\(called)")
        await group.close()
        await hubs[0].close()
        await assertNoStrayChildren()
    }

    func testALostGatewayFailsItsLeavesAtOnceAndReconnectBringsThemBack() async throws {
        let (hubs, leaves) = try fleet(4)
        let group = try Group(leaves)
        let connected = await group.connect()
        XCTAssertTrue(connected.allSatisfy { $0.value != nil }, "\(connected)")
        let answer = try await hubs[0].call("os.getpid")
        let pid = try XCTUnwrap(answer.intValue)
        // A command still running on every leaf when the gateway dies: it ends at once, not at its timeout.
        let running = Task { await group.run("sleep 30", timeout: 60) }
        try await Task.sleep(for: .milliseconds(500))
        kill(pid_t(pid), SIGKILL)
        let start = ContinuousClock.now
        let results = try await withinSeconds(20) { await running.value }
        XCTAssertLessThan(start.duration(to: .now), .seconds(10))
        for entry in results {
            XCTAssertEqual(entry.error?.msg, "gateway gw1 lost", "\(entry)")
        }
        for leaf in leaves { XCTAssertEqual(leaf.state, .down("gateway gw1 lost")) }
        // The next operation reconnects the gateway, then the leaves through it.
        let again = await group.run("echo back")
        for entry in again { XCTAssertEqual(entry.value?.stdoutText, "back\n", "\(entry)") }
        await group.close()
        await hubs[0].close()
        await assertNoStrayChildren()
    }

    func testALeafGoesThroughAnotherGatewayOfItsSetWhenItsOwnIsGone() async throws {
        let (hubs, leaves) = try fleet(4, gateways: 2)
        let group = try Group(leaves)
        let connected = await group.connect()
        XCTAssertTrue(connected.allSatisfy { $0.value != nil }, "\(connected)")
        let gateways = leaves.map { ($0.kind as? GatewayLeaf)?.gateway.name }
        XCTAssertEqual(gateways, ["gw1", "gw2", "gw1", "gw2"])
        await hubs[0].close()
        let again = await group.run("echo back")
        for entry in again { XCTAssertEqual(entry.value?.stdoutText, "back\n", "\(entry)") }
        XCTAssertEqual(leaves.map { ($0.kind as? GatewayLeaf)?.gateway.name }, ["gw2", "gw2", "gw2", "gw2"])
        await group.close()
        await hubs[1].close()
        await assertNoStrayChildren()
    }

    /// A leaf that sends garbage, one that answers a request it was never sent, and one that floods output past
    /// its timeout: each is ended alone on the gateway, and a good leaf behind the same gateway answers meanwhile.
    func testAHostileLeafIsContainedOnTheGateway() async throws {
        let folder = try temporaryFolder(self)
        let hub = Tunnel(try Local("gw"), connectTimeout: 10)
        func leaf(_ kind: any TunnelKind) throws -> Tunnel {
            Tunnel(try GatewayLeaf(kind, gateways: [hub]), connectTimeout: 10)
        }
        let garbage = try leaf(try HostileAgent(name: "garbage", mode: "garbage", folder: folder))
        let unsolicited = try leaf(try HostileAgent(name: "unsolicited", mode: "unsolicited", folder: folder))
        let flood = try leaf(try HostileAgent(name: "flood", mode: "data-flood", folder: folder))
        let good = try leaf(try Local("good"))
        let group = try Group([garbage, unsolicited, good])
        let results = try await withinSeconds(60) { await group.run("echo ok") }
        XCTAssertEqual(results[0].error?.kind, .protocol, "\(results[0])")
        XCTAssertEqual(
            results[0].error?.msg, "protocol error: bad frame length 4294967295 (must be 5..16777216)")
        XCTAssertEqual(
            results[1].error?.msg, "protocol error: frame op 2 for request 4242, which chop did not send")
        XCTAssertEqual(results[2].value?.stdoutText, "ok\n")
        let flooded = Task { () -> ErrorResult? in
            do {
                _ = try await flood.run("yes", timeout: 1, outputCap: 0) { _ in }
                return nil
            } catch { return ErrorResult(error) }
        }
        try await Task.sleep(for: .milliseconds(500))
        for _ in 0..<5 {
            let answer = try await withinSeconds(10) { try await good.run("echo still") }
            XCTAssertEqual(answer.stdoutText, "still\n")
        }
        let floodError = try await withinSeconds(30) { await flooded.value }
        XCTAssertEqual(floodError?.kind, .timeout, "\(String(describing: floodError))")
        XCTAssertEqual(hub.state, .up)
        let after = try await good.run("echo after")
        XCTAssertEqual(after.stdoutText, "after\n")
        await group.close()
        await flood.close()
        await hub.close()
        await assertNoStrayChildren()
    }
}
