import Chopsticks
import Foundation
import TestSupport
import XCTest

/// The typed wire: a reply with a missing or mistyped field, or an agent of another protocol version, fails that
/// host with a reason that names the problem. The agent here is a fake, as the rules allow for a broken host.
final class WireContractTests: XCTestCase {
    /// A fake agent: says hello (as told by `mode`), skips the real agent's source, then answers every request
    /// according to `mode`.
    static let fake =
        HostileAgent.framing + #"""
            n, mode = int(sys.argv[1]), sys.argv[2]
            hello = {'agent': 1, 'python': '3.99.0', 'executable': 'fake', 'pid': 1, 'hostname': 'fake', 'facts': []}
            if mode == 'version':
                hello['agent'] = 2
            if mode == 'hello':
                del hello['facts']
            send(7, 0, hello)
            read(n)
            while True:
                length, op, rid = struct.unpack('>IBI', read(9))
                read(length - 5)
                run = {'status': 0, 'signal': None, 'stdout_b64': '', 'stderr_b64': '', 'stdout_truncated': False,
                       'stderr_truncated': False, 'timed_out': False, 'duration': 0.1}
                if mode == 'missing':
                    del run['stdout_b64']
                if mode == 'mistyped':
                    run['status'] = 'zero'
                if mode == 'error':
                    send(3, rid, {'msg': 'no type'})
                else:
                    send(2, rid, run)
            """#

    private func fake(_ mode: String) throws -> Tunnel {
        let folder = try temporaryFolder(self)
        try Self.fake.write(toFile: "\(folder)/fake.py", atomically: true, encoding: .utf8)
        let script = "exec python3 \(folder)/fake.py \(Bootstrap.agentSource.count) \(mode)"
        return Tunnel(HostileHost(name: "fake-\(mode)", script: script), connectTimeout: 5)
    }

    private func runError(_ mode: String) async throws -> ErrorResult {
        let tunnel = try fake(mode)
        defer { Task { await tunnel.close() } }
        do {
            let result = try await tunnel.run("true")
            XCTFail("\(mode): a bad reply was accepted: \(result)")
            return ErrorResult("accepted")
        } catch let error as ErrorResult {
            return error
        }
    }

    func testAWellFormedFakeIsAccepted() async throws {
        let tunnel = try fake("good")
        let result = try await tunnel.run("true")
        XCTAssertEqual(result.status, 0)
        await tunnel.close()
    }

    func testMissingAndMistypedFieldsAreNamed() async throws {
        let missing = try await runError("missing")
        XCTAssertEqual(missing.kind, .protocol)
        XCTAssertEqual(missing.msg, "protocol error: bad reply to run: no field 'stdout_b64'")
        let mistyped = try await runError("mistyped")
        XCTAssertEqual(mistyped.kind, .protocol)
        XCTAssertTrue(mistyped.msg.hasPrefix("protocol error: bad reply to run: field 'status': "), mistyped.msg)
        let error = try await runError("error")
        XCTAssertEqual(error.msg, "protocol error: bad reply to a request (ERR): no field 'type'")
    }

    func testAnotherProtocolVersionIsRefusedClearly() async throws {
        let refused = try await runError("version")
        XCTAssertTrue(refused.msg.contains("the agent speaks protocol version 2, this chop speaks 1"), refused.msg)
        let hello = try await runError("hello")
        XCTAssertTrue(hello.msg.contains("bad reply to hello: no field 'facts'"), hello.msg)
    }

    /// `close()` cancels a connection attempt in progress: quitting never waits out a connect timeout.
    func testClosingWhileConnectingReturnsAtOnce() async throws {
        let tunnel = Tunnel(HostileHost(name: "silent", script: "sleep 30"), connectTimeout: 30)
        let attempt = Task { try await tunnel.connect() }
        let connecting = await waitUntil(timeout: 10) {
            tunnel.state == .connecting && ProcessTree.isRunning("sleep 30")
        }
        XCTAssertTrue(connecting)
        let start = ContinuousClock.now
        await tunnel.close()
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3))
        _ = try? await attempt.value
        await assertNoStrayChildren()
    }
}
