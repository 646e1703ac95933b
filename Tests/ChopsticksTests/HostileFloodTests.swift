import Chopsticks
import Foundation
import TestSupport
import XCTest

/// A hostile agent floods the controller: WANTs for shipped code, with and without anything shipped, and endless
/// output past the run's timeout. Each time that host alone is ended, and the controller's memory stays bounded.
final class HostileFloodTests: XCTestCase {
    func testWantFloodWithNothingShippedFailsTheHost() async throws {
        let kind = try HostileAgent(name: "flood", mode: "want-unshipped", folder: try temporaryFolder(self))
        let group = try Group([Tunnel(kind, connectTimeout: 10), Tunnel(try Local("good"))])
        let result = try await withinSeconds(60) { await group.run("echo ok") }
        XCTAssertEqual(result[0].error?.kind, .protocol, "\(result[0])")
        XCTAssertEqual(
            result[0].error?.msg, "protocol error: the host asked for shipped code, but nothing was shipped to it")
        XCTAssertEqual(result[1].value?.stdoutText, "ok\n")
        XCTAssertTrue(group.tunnels[0].state.isFailed)
        await group.close()
        await assertNoStrayChildren()
    }

    /// The host asks for a 1 MiB data file 400 times without reading the answers: the first answer fills the
    /// pipe, the second WANT finds it not yet delivered and fails the host. Before the bound, each WANT held an
    /// answer in memory (about 1.4 MB each).
    func testWantFloodFailsTheHostAndMemoryStaysBounded() async throws {
        let folder = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(folder)/mypkg", withIntermediateDirectories: true)
        try "".write(toFile: "\(folder)/mypkg/__init__.py", atomically: true, encoding: .utf8)
        XCTAssertTrue(FileManager.default.createFile(atPath: "\(folder)/mypkg/big.bin", contents: Data(count: 1 << 20)))
        let tunnel = Tunnel(try HostileAgent(name: "flood", mode: "want-flood", folder: folder), connectTimeout: 10)
        let before = ProcessTree.residentMiB()
        let root = try await ShippedRoot.resolve("\(folder)/mypkg")
        // The flood starts as the ship is answered, so the ship itself may already see the host fail.
        _ = try? await tunnel.ship([root])
        do {
            _ = try await withinSeconds(30) { try await tunnel.ping() }
            XCTFail("the flooding host still answers")
        } catch let error as ErrorResult {
            XCTAssertEqual(
                error.msg, "protocol error: the host asked for shipped code again before it had the last answer")
        }
        XCTAssertTrue(tunnel.state.isFailed)
        let grown = ProcessTree.residentMiB() - before
        XCTAssertLessThan(grown, 100, "RSS grew by \(Int(grown)) MiB")
        await tunnel.close()
        await assertNoStrayChildren()
    }

    /// With a timeout of 1 s the host streams output forever and ignores the timeout, CANCEL and SIGTERM: chop
    /// ends it itself once the grace has passed, and the other host's answer is not held up.
    func testDataFloodPastTheTimeoutIsEndedByTheController() async throws {
        let kind = try HostileAgent(name: "flood", mode: "data-flood", folder: try temporaryFolder(self))
        let tunnel = Tunnel(kind, connectTimeout: 10)
        let received = Counter()
        let before = ProcessTree.residentMiB()
        let outcome = try await withinSeconds(60) { () -> ErrorResult? in
            do {
                _ = try await tunnel.run("yes", timeout: 1, outputCap: 0) { piece in received.add(piece.bytes.count) }
                return nil
            } catch let error as ErrorResult {
                return error
            }
        }
        XCTAssertEqual(outcome?.kind, .timeout, "\(String(describing: outcome))")
        XCTAssertEqual(
            outcome?.msg, "timed out: still running 5 s after its 1 s timeout; chop closed its tunnel")
        XCTAssertTrue(received.total > 0)
        XCTAssertLessThan(ProcessTree.residentMiB() - before, 100)
        XCTAssertTrue(tunnel.state.isFailed)
        XCTAssertFalse(ProcessTree.isRunning("hostile_agent.py"))
        await tunnel.close()
        await assertNoStrayChildren()
    }
}

/// Bytes seen by an output callback.
private final class Counter: @unchecked Sendable {
    // @unchecked: `count` is only touched under `lock`.
    private let lock = NSLock()
    private var count = 0
    var total: Int { lock.withLock { count } }
    func add(_ bytes: Int) { lock.withLock { count += bytes } }
}
