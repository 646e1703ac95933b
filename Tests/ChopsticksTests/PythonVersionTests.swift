import Chopsticks
import Foundation
import TestSupport
import XCTest

/// The agent on every CPython a fleet may have, 3.6 through 3.13, through real Local tunnels. Versions
/// missing on this machine are skipped with the reason, never counted as passed.
final class PythonVersionTests: XCTestCase {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The pyenv interpreter for `version` ("3.6"), or a skip.
    func interpreter(_ version: String) throws -> String { try requirePyenvPython(version) }

    /// Every operation through a Local tunnel on `version`, then the agent's own protocol suite.
    func check(_ version: String) async throws {
        try await check(python: try interpreter(version), version: version)
    }

    /// The same on the interpreter at `python`, whose version starts with `version`.
    func check(python: String, version: String) async throws {
        let tunnel = Tunnel(try Local("py\(version)", python: python))
        let folder = try temporaryFolder(self)
        do {
            try await tunnel.connect()
            let reported = await tunnel.pythonVersion
            XCTAssertEqual(reported?.hasPrefix(version + "."), true, "agent reports \(reported ?? "nil")")
            let run = try await tunnel.run("echo ok; exit 4")
            XCTAssertEqual(run.status, 4)
            XCTAssertEqual(run.stdoutText, "ok\n")
            let value = try await tunnel.call("os.path.join", ["a", "b"])
            XCTAssertEqual(value, "a/b")
            let exec = try await tunnel.exec("import sys\nv = sys.version_info\n[v[0], v[1]]")
            XCTAssertEqual(exec.value?.arrayValue?.count, 2)
            let facts = try await tunnel.facts()
            XCTAssertEqual(facts.errors, [:])
            for name in ["hostname", "fqdn", "ip", "kernel", "arch", "python_version"] {
                XCTAssertNotNil(facts[name]?.stringValue, "fact \(name) on \(version)")
            }
            XCTAssertEqual(
                Set(facts["os"]?.objectValue?.keys ?? [:].keys), ["id", "name", "version_id", "pretty_name"])
            XCTAssertEqual(facts["loadavg"]?.arrayValue?.count, 3)
            XCTAssertNotNil(facts["memory"]?["available"]?.intValue)
            XCTAssertNotNil(facts["uptime"]?.doubleValue)
            try "data".write(toFile: "\(folder)/in", atomically: true, encoding: .utf8)
            let put = try await tunnel.put("\(folder)/in", "\(folder)/out", mode: 0o600)
            XCTAssertEqual(put.size, 4)
            let fetched = try await tunnel.fetch("\(folder)/out", to: "\(folder)/back")
            XCTAssertEqual(fetched.sha1sum, put.sha1sum)
            _ = try await tunnel.ping()
        } catch {
            await tunnel.close()
            throw error
        }
        await tunnel.close()
        // The full 100,000 fuzz cases run once, on the system python (.ci/run); each version here runs 10,000.
        let suite = try Command.run([
            "env", "CHOP_FUZZ_CASES=10000", python, "\(Self.repository)/Tests/AgentTests/run_agent_tests.py",
        ])
        XCTAssertEqual(suite.status, 0, "agent protocol suite on \(version):\n\(suite.output)")
    }

    /// The system's own python3 (Debian's), every time: the protocol suite must not depend on pyenv.
    func testSystemPython() async throws {
        let python = "/usr/bin/python3"
        try require(FileManager.default.isExecutableFile(atPath: python) ? nil : "no \(python) here")
        let version = try Command.run([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]).output
        try await check(python: python, version: version.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testPython36() async throws { try await check("3.6") }
    func testPython37() async throws { try await check("3.7") }
    func testPython38() async throws { try await check("3.8") }
    func testPython39() async throws { try await check("3.9") }
    func testPython310() async throws { try await check("3.10") }
    func testPython311() async throws { try await check("3.11") }
    func testPython312() async throws { try await check("3.12") }
    func testPython313() async throws { try await check("3.13") }

    func testPython27IsRefusedWithItsVersion() async throws {
        let python = try interpreter("2.7")
        let tunnel = Tunnel(try Local("old", python: python))
        do {
            try await tunnel.connect()
            XCTFail("Python 2.7 must be refused")
        } catch let error as ErrorResult {
            XCTAssertTrue(error.msg.hasPrefix("Python 2.7"), error.msg)
            XCTAssertTrue(error.msg.contains("too old"), error.msg)
        }
        await tunnel.close()
    }

    func testMissingInterpreterIsNamed() async throws {
        let tunnel = Tunnel(try Local("none", python: "/nonexistent/python3"))
        do {
            try await tunnel.connect()
            XCTFail("expected an error")
        } catch let error as ErrorResult {
            XCTAssertEqual(error.msg, "/nonexistent/python3 not found on none")
        }
        await tunnel.close()
    }

    func testDiscoveryOverSSHReportsOnlyOldPython() async throws {
        let fleet = try requireFleet()
        _ = try interpreter("2.7")
        let tunnel = Tunnel(try fleet.ssh("oldpython"))
        do {
            try await tunnel.connect()
            XCTFail("expected an error")
        } catch let error as ErrorResult {
            XCTAssertTrue(error.msg.hasPrefix("no Python 3.6+ found on oldpython"), error.msg)
            XCTAssertTrue(error.msg.contains("2.7"), error.msg)
            XCTAssertEqual(error.cause, .noPython)
        }
        await tunnel.close()
    }
}
