import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Every operation through a real Local tunnel (the agent as a subprocess).
final class LocalTunnelTests: XCTestCase {
    var tunnel: Tunnel!

    override func setUp() async throws {
        tunnel = Tunnel(try Local("local"))
    }

    override func tearDown() async throws {
        await tunnel.close()
    }

    func testRunCapturesStatusOutputAndStreams() async throws {
        let result = try await tunnel.run("printf 'out\\n'; printf 'err' >&2; exit 3")
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdoutText, "out\n")
        XCTAssertEqual(result.stderrText, "err")
        XCTAssertTrue(result.isFailure)
        XCTAssertEqual(result.statusDescription, "exit status 3")
    }

    func testRunStdinEnvCwdAndBinaryOutput() async throws {
        let folder = try temporaryFolder(self)
        let result = try await tunnel.run(
            "cat; echo \"$CHOP_X\"; pwd; printf '\\377\\000'", stdin: Data("in\n".utf8), env: ["CHOP_X": "x y"],
            cwd: folder)
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.stdout, Data("in\nx y\n\(folder)\n".utf8) + Data([0xff, 0x00]))
    }

    func testRunMissingCwdIsAnError() async throws {
        do {
            _ = try await tunnel.run("true", cwd: "/nonexistent/chop")
            XCTFail("expected an error")
        } catch let error as ErrorResult {
            XCTAssertTrue(error.msg.contains("/nonexistent/chop"), error.msg)
        }
    }

    func testRunSignalAndTimeout() async throws {
        let killed = try await tunnel.run("kill -9 $$")
        XCTAssertNil(killed.status)
        XCTAssertEqual(killed.signal, 9)
        let start = ContinuousClock.now
        let slow = try await tunnel.run("sleep 30", timeout: 0.5)
        XCTAssertTrue(slow.timedOut)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }

    func testOutputIsCappedAndFlagged() async throws {
        let result = try await tunnel.run("head -c 3000000 /dev/zero")
        XCTAssertEqual(result.stdout.count, 1 << 20)
        XCTAssertTrue(result.stdoutTruncated)
    }

    func testCallImportsByDottedName() async throws {
        let exists = try await tunnel.call("os.path.exists", ["/etc/hostname"])
        XCTAssertEqual(exists, .bool(FileManager.default.fileExists(atPath: "/etc/hostname")))
        let joined = try await tunnel.call("os.path.join", ["a", "b"])
        XCTAssertEqual(joined, "a/b")
        let dumped = try await tunnel.call("json.dumps", [[1, 2]], ["indent": .null])
        XCTAssertEqual(dumped, "[1, 2]")
        let host = try await tunnel.call("socket.gethostname")
        XCTAssertEqual(host.stringValue, ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init))
    }

    func testCallRemoteExceptionHasTypeAndTraceback() async throws {
        do {
            _ = try await tunnel.call("os.listdir", ["/nonexistent/chop"])
            XCTFail("expected an error")
        } catch let error as ErrorResult {
            XCTAssertEqual(error.kind, .remote)
            XCTAssertEqual(error.type, "FileNotFoundError")
            XCTAssertTrue(error.msg.contains("/nonexistent/chop"), error.msg)
        }
        // A function written in Python: the traceback shows its remote frames.
        do {
            _ = try await tunnel.call("json.loads", ["{broken"])
            XCTFail("expected an error")
        } catch let error as ErrorResult {
            XCTAssertEqual(error.type, "JSONDecodeError")
            XCTAssertTrue(error.traceback?.contains("Traceback") == true, error.traceback ?? "no traceback")
            XCTAssertTrue(error.traceback?.contains("json/decoder.py") == true, error.traceback ?? "no traceback")
        }
    }

    func testCallErrorsAreClear() async throws {
        for (function, expected) in [("os.getcwdb", "JSON"), ("nosuchmodule.fn", "nosuchmodule.fn")] {
            do {
                _ = try await tunnel.call(function)
                XCTFail("expected an error for \(function)")
            } catch let error as ErrorResult {
                XCTAssertTrue(error.msg.contains(expected), "\(function): \(error.msg)")
            }
        }
    }

    func testExecNamespacePersists() async throws {
        _ = try await tunnel.exec("import os\ncounter = 41")
        let result = try await tunnel.exec("counter += 1\nprint('hi')\ncounter")
        XCTAssertEqual(result.value, 42)
        XCTAssertEqual(result.stdout, "hi\n")
        let object = try await tunnel.exec("object()")
        XCTAssertNil(object.value)
        XCTAssertTrue(object.repr?.hasPrefix("<object object") == true)
    }

    func testFactsHaveTheirShapes() async throws {
        let facts = try await tunnel.facts()
        XCTAssertEqual(facts["hostname"]?.stringValue?.isEmpty, false)
        XCTAssertEqual(facts["cpus"]?.intValue, Int64(ProcessInfo.processInfo.activeProcessorCount))
        XCTAssertEqual(facts["loadavg"]?.arrayValue?.count, 3)
        XCTAssertNotNil(facts["memory"]?["total"]?.intValue)
        XCTAssertNotNil(facts["disk"]?["free"]?.intValue)
        XCTAssertNotNil(facts["os"]?["id"])
        XCTAssertNotNil(facts["ip"]?.stringValue)
        let some = try await tunnel.facts(["kernel", "arch"])
        XCTAssertEqual(Set(some.values.keys), ["kernel", "arch"])
        do {
            _ = try await tunnel.facts(["nosuchfact"])
            XCTFail("expected an error")
        } catch let error as ErrorResult {
            XCTAssertTrue(error.msg.contains("nosuchfact"), error.msg)
        }
    }

    func testSlowRunDoesNotBlockPing() async throws {
        let tunnel = self.tunnel!
        let folder = try temporaryFolder(self)
        // The slow command ends only once `go` exists, which the test creates after the ping has answered: a
        // ping that waited for it would never answer (the run would time out and exit 7), whatever the timing.
        let go = "\(folder)/go"
        let slow = Task {
            try await tunnel.run(
                "echo $$ > \(folder)/pid; for i in $(seq 6000); do [ -e \(go) ] && exit 0; sleep 0.01; done; exit 7")
        }
        let started = await waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: "\(folder)/pid") }
        XCTAssertTrue(started)
        _ = try await tunnel.ping()
        XCTAssertFalse(FileManager.default.fileExists(atPath: go))
        XCTAssertTrue(FileManager.default.createFile(atPath: go, contents: nil))
        let result = try await slow.value
        XCTAssertEqual(result.status, 0, "the slow command ended before the ping answered")
    }

    func testCancellingARunInterruptsItAndTheTunnelStaysUsable() async throws {
        let tunnel = self.tunnel!
        let task = Task { try await tunnel.run("sleep 30") }
        let started = await waitUntil(timeout: 10) { ProcessTree.isRunning("sleep 30") }
        XCTAssertTrue(started)
        let start = ContinuousClock.now
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("expected interruption")
        } catch let error as ErrorResult {
            XCTAssertEqual(error.kind, .interrupted)
        }
        // Far below the 30 s of the sleep: the cancellation did not wait for the command.
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
        let after = try await tunnel.run("echo still")
        XCTAssertEqual(after.stdoutText, "still\n")
        // The sleep was killed on the far side, not left behind.
        let stray = ProcessTree.descendants().map(ProcessTree.commandLine).filter { $0.hasPrefix("sleep 30") }
        XCTAssertEqual(stray, [])
    }

    func testPutAndFetchSmallFilesWithModeAndTemporaryNames() async throws {
        let folder = try temporaryFolder(self)
        let source = "\(folder)/source.txt"
        try "hello chop\n".write(toFile: source, atomically: true, encoding: .utf8)
        let put = try await tunnel.put(source, "\(folder)/copy.sh", mode: 0o755)
        XCTAssertEqual(put.remotePath, "\(folder)/copy.sh")
        XCTAssertEqual(put.size, 11)
        XCTAssertEqual(put.sha1sum, try sha1sum(source))
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(folder)/copy.sh")
        XCTAssertEqual((attributes[.posixPermissions] as? Int), 0o755)
        let anonymous = try await tunnel.put(source)
        XCTAssertTrue(anonymous.remotePath.hasPrefix("/"), anonymous.remotePath)
        XCTAssertEqual(try String(contentsOfFile: anonymous.remotePath, encoding: .utf8), "hello chop\n")
        try FileManager.default.removeItem(atPath: anonymous.remotePath)

        let fetched = try await tunnel.fetch("\(folder)/copy.sh", to: "\(folder)/back/copy")
        XCTAssertEqual(fetched.localPath, "\(folder)/back/copy")
        XCTAssertEqual(fetched.sha1sum, put.sha1sum)
        XCTAssertEqual(try String(contentsOfFile: fetched.localPath, encoding: .utf8), "hello chop\n")
        let temporary = try await tunnel.fetch("\(folder)/copy.sh")
        XCTAssertEqual(temporary.size, 11)
        try FileManager.default.removeItem(atPath: temporary.localPath)
    }

    func testPutAndFetchErrorsLeaveNothingBehind() async throws {
        let folder = try temporaryFolder(self)
        do {
            _ = try await tunnel.put("\(folder)/missing", "\(folder)/x")
            XCTFail("expected an error")
        } catch let error as ErrorResult {
            XCTAssertTrue(error.msg.contains("not found"), error.msg)
        }
        try "x".write(toFile: "\(folder)/small", atomically: true, encoding: .utf8)
        do {
            _ = try await tunnel.put("\(folder)/small", "/nonexistent/dir/x")
            XCTFail("expected an error")
        } catch let error as ErrorResult {
            XCTAssertEqual(error.kind, .remote)
        }
        do {
            _ = try await tunnel.fetch("/nonexistent/file", to: "\(folder)/partial")
            XCTFail("expected an error")
        } catch let error as ErrorResult {
            XCTAssertTrue(error.msg.contains("/nonexistent/file"), error.msg)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/partial"))
        // The tunnel still works after the errors.
        let ping = try await tunnel.ping()
        XCTAssertLessThan(ping.seconds, 1)
    }

    func testInterpreterIsReported() async throws {
        try await tunnel.connect()
        let version = await tunnel.pythonVersion
        XCTAssertEqual(version?.hasPrefix("3."), true)
        let state = tunnel.state
        XCTAssertEqual(state, .up)
    }

    func testNamesStartingWithDashAreRefused() {
        XCTAssertThrowsError(try Local("-oProxyCommand=x"))
        XCTAssertThrowsError(try SSH("-oProxyCommand=touch /tmp/pwned"))
        XCTAssertThrowsError(try SSH("host", user: "-l"))
        XCTAssertThrowsError(try Sudo(user: "-u"))
        XCTAssertThrowsError(try SSH("two words"))
    }
}
