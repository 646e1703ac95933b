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
                request = read(length - 5)
                if op == 1 and json.loads(request.decode()).get('op') == 'fetch':
                    # 'hello\n' is what the host claims to send: sha1 f572d396fae9206628714fb2ce00f72e94f2258f.
                    send(4, rid, b'hel' if mode == 'truncated' else b'hello\n')
                    digest = '0' * 40 if mode == 'badsum' else 'f572d396fae9206628714fb2ce00f72e94f2258f'
                    send(2, rid, {'remote_path': '/etc/motd', 'size': 6, 'sha1sum': digest, 'mode': 0o644})
                    continue
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

    /// A fetch whose bytes do not match what the host says it sent (another SHA-1, or fewer bytes) is a
    /// protocol error, and nothing is left at the local path: no partial file, no temporary one beside it.
    func testAFetchThatFailsItsChecksumLeavesNoLocalFile() async throws {
        let folder = try temporaryFolder(self)
        for (mode, expected) in [
            ("badsum", "host sent 6 with 0000000000000000000000000000000000000000"),
            ("truncated", "received 3 bytes with sha1 "),
        ] {
            let tunnel = try fake(mode)
            let target = "\(folder)/\(mode)/motd"
            do {
                let result = try await tunnel.fetch("/etc/motd", to: target)
                XCTFail("\(mode): a fetch that fails its check was accepted: \(result)")
            } catch let error as ErrorResult {
                XCTAssertEqual(error.kind, .protocol, error.msg)
                XCTAssertTrue(error.msg.hasPrefix("checksum mismatch: "), error.msg)
                XCTAssertTrue(error.msg.contains(expected), error.msg)
            }
            XCTAssertFalse(FileManager.default.fileExists(atPath: target), "\(mode): the bad file was left in place")
            let beside = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/\(mode)")) ?? []
            XCTAssertEqual(beside, [], "\(mode): files left beside the target")
            await tunnel.close()
        }
        // The same fake with the right bytes is accepted: the check above is the checksum's, not the fake's.
        let good = try fake("good")
        let fetched = try await good.fetch("/etc/motd", to: "\(folder)/good/motd")
        XCTAssertEqual(fetched.sha1sum, "f572d396fae9206628714fb2ce00f72e94f2258f")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/good/motd", encoding: .utf8), "hello\n")
        await good.close()
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
        // Far below the 30 s connect timeout and the 30 s sleep: close() did not wait for either.
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
        _ = try? await attempt.value
        await assertNoStrayChildren()
    }
}
