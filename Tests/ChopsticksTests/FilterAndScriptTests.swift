import Chopsticks
import Foundation
import TestSupport
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// `Group.filter` (a Python predicate per host) and `Group.script` / `Tunnel.script` (a local script run from a
/// private temporary directory that is always removed), on Local members and on the loopback sshd fleet.
final class FilterAndScriptTests: XCTestCase {
    private func localGroup(_ names: [String]) throws -> Group {
        try Group(names.map { Tunnel(try Local($0)) })
    }

    /// A script that records where it runs (in the file named by its first argument), prints its directory's
    /// mode, its own name and its arguments, then runs `tail` (sh code: exit 3, sleep 30, …).
    private func writeScript(_ folder: String, tail: String = "") throws -> String {
        let path = "\(folder)/probe.sh"
        try """
        #!/bin/sh
        d=$(dirname "$0")
        echo "$d" > "$1"
        shift
        echo "$(stat -c %a "$d") $(basename "$0") [$*]"
        \(tail)
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The private directory the probe recorded in `marker`, once it has.
    private func recordedFolder(_ marker: String) async -> String? {
        _ = await waitUntil(timeout: 10) { FileManager.default.fileExists(atPath: marker) }
        return (try? String(contentsOfFile: marker, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func failure<T>(_ result: Result<T, any Error>) -> ErrorResult? {
        if case .failure(let error) = result { return ErrorResult(error) }
        return nil
    }

    private func assertRemoved(_ folder: String?, file: StaticString = #filePath, line: UInt = #line) async {
        guard let folder else { return XCTFail("the script never ran", file: file, line: line) }
        XCTAssertTrue(folder.contains("chop-script-"), folder, file: file, line: line)
        let gone = await waitUntil(timeout: 10) { !FileManager.default.fileExists(atPath: folder) }
        XCTAssertTrue(gone, "\(folder) is still there", file: file, line: line)
    }

    // MARK: filter

    func testFilterDecidesByPythonsTruthAndLeavesRaisingHostsOut() async throws {
        let group = try localGroup(["empty", "truthy", "raises", "list"])
        _ = try await group.tunnels[0].exec("v = set()")
        _ = try await group.tunnels[1].exec("class T:\n    def __bool__(self):\n        return True\nv = T()")
        _ = try await group.tunnels[3].exec("v = [0]")
        let (matching, results) = await group.filter("v")
        XCTAssertEqual(matching.names, ["truthy", "list"])
        XCTAssertEqual(results[0].value, EvalResult(value: nil, repr: "set()", isTrue: false))
        XCTAssertEqual(results[1].value?.isTrue, true)
        XCTAssertTrue(results[1].value?.repr?.contains("T object") == true, "\(String(describing: results[1].value))")
        XCTAssertEqual(results[2].error?.type, "NameError")
        XCTAssertEqual(results[3].value, EvalResult(value: [0], isTrue: true))
        let (excluded, _) = await group.filter("v", exclude: true)
        XCTAssertEqual(excluded.names, ["empty"], "a host that raised is in neither group")

        // Modules are imported for the expression, without adding them to py's namespace.
        let (all, _) = await group.filter("os.path.isdir('/') and platform.system() == 'Linux'")
        XCTAssertEqual(all.count, 4)
        do {
            let leaked = try await group.tunnels[0].exec("os")
            XCTFail("where's imports stay out of the exec namespace: \(leaked)")
        } catch {
            let failure = ErrorResult(error)
            XCTAssertEqual(failure.type, "NameError", failure.msg)
            XCTAssertTrue(failure.msg.contains("'os' is not defined"), failure.msg)
        }
        // Statements and broken syntax are refused on the host, one line each.
        let (none, statement) = await group.filter("x = 1")
        XCTAssertEqual(none.count, 0)
        XCTAssertEqual(statement[0].error?.type, "SyntaxError")
        XCTAssertTrue(statement[0].error?.msg.hasPrefix("SyntaxError: not a Python expression: ") == true)
        XCTAssertFalse(statement[0].error?.msg.contains("\n") == true)
        await group.close()
    }

    func testFilterOnTheLoopbackFleetWithADownHostBeside() async throws {
        let fleet = try requireFleet()
        let group = try Group(["web1", "web2", "web3", "closed"].map { Tunnel(try fleet.ssh($0)) })
        let (matching, results) = await group.filter("os.environ['SSH_CONNECTION'].split()[2] != '127.0.0.3'")
        XCTAssertEqual(matching.names, ["web1", "web3"])
        XCTAssertEqual(results[1].value, EvalResult(value: false, isTrue: false))
        XCTAssertEqual(results[3].error?.kind, .connection)
        let (others, _) = await group.filter("os.environ['SSH_CONNECTION'].split()[2] != '127.0.0.3'", exclude: true)
        XCTAssertEqual(others.names, ["web2"])
        await group.close()
        await assertNoStrayChildren()
    }

    // MARK: script

    func testScriptRunsFromAPrivateFolderAndRemovesItWhateverTheEnd() async throws {
        let folder = try temporaryFolder(self)
        let group = try localGroup(["a", "b"])
        let probe = try writeScript(folder, tail: "exit 3")
        let result = await group.script(probe, arguments: ["\(folder)/{host}.dir", "one", "{host}", "--flag"])
        for (index, host) in ["a", "b"].enumerated() {
            let run = try XCTUnwrap(result[index].value)
            XCTAssertEqual(run.stdoutText, "700 probe.sh [one \(host) --flag]\n")
            XCTAssertEqual(run.status, 3)
            await assertRemoved(await recordedFolder("\(folder)/\(host).dir"))
        }

        // A #! line names the interpreter; no file mode or exec permission is needed on the temporary folder.
        let python = "\(folder)/args.py"
        try "#!/usr/bin/env python3\nimport sys\nprint(sys.argv[1:])\n".write(
            toFile: python, atomically: true, encoding: .utf8)
        let fromPython = await group.script(python, arguments: ["x y", "{{host}}"])
        XCTAssertEqual(fromPython[0].value?.stdoutText, "['x y', '{host}']\n")
        // Without one, /bin/sh runs it.
        try "echo \"sh: $0 $#\"\n".write(toFile: "\(folder)/plain", atomically: true, encoding: .utf8)
        let plainResult = await group.script("\(folder)/plain")
        let plain = try XCTUnwrap(plainResult[0].value)
        XCTAssertTrue(plain.stdoutText.hasPrefix("sh: /") && plain.stdoutText.hasSuffix("/plain 0\n"), plain.stdoutText)
        // A missing interpreter is that host's error, and the folder goes too.
        try "#!/nonexistent/interpreter\n".write(toFile: "\(folder)/broken", atomically: true, encoding: .utf8)
        let broken = await group.script("\(folder)/broken")
        XCTAssertEqual(
            broken[0].error?.msg,
            "FileNotFoundError: script: cannot start /nonexistent/interpreter: No such file or directory")

        // Timed out: killed, then removed.
        let sleeper = try writeScript(folder, tail: "sleep 30")
        let tunnel = group.tunnels[0]
        let timedOut = try await tunnel.script(
            Data(contentsOf: URL(fileURLWithPath: sleeper)), name: "probe.sh", arguments: ["\(folder)/t.dir"],
            timeout: 0.5)
        XCTAssertTrue(timedOut.timedOut)
        await assertRemoved(await recordedFolder("\(folder)/t.dir"))

        // Cancelled (Ctrl-C sends CANCEL): removed, and the tunnel keeps working.
        let body = try Data(contentsOf: URL(fileURLWithPath: sleeper))
        let cancelled = Task { try await tunnel.script(body, name: "probe.sh", arguments: ["\(folder)/c.dir"]) }
        let running = await recordedFolder("\(folder)/c.dir")
        cancelled.cancel()
        let outcome = await cancelled.result
        XCTAssertEqual(failure(outcome)?.kind, .interrupted)
        await assertRemoved(running)
        let again = try await tunnel.run("echo again")
        XCTAssertEqual(again.stdoutText, "again\n")

        // The connection ends (the agent's stdin closes) while the script runs: removed as the agent exits.
        let dropped = Task { try await tunnel.script(body, name: "probe.sh", arguments: ["\(folder)/d.dir"]) }
        let orphan = await recordedFolder("\(folder)/d.dir")
        await tunnel.disconnect()
        // The agent kills the script as it leaves: the answer is that kill (when it was sent before the pipe
        // closed) or the lost connection, nothing else.
        switch await dropped.result {
        case .success(let run): XCTAssertEqual(run.signal, Int(SIGKILL), "\(run)")
        case .failure(let error): XCTAssertEqual(ErrorResult(error).kind, .connection, "\(error)")
        }
        await assertRemoved(orphan)
        await group.close()
        await assertNoStrayChildren()
    }

    func testScriptOnTheLoopbackFleetAndWhenTheSSHConnectionIsKilled() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let group = try Group(["web1", "web2"].map { Tunnel(try fleet.ssh($0)) })
        let probe = try writeScript(folder, tail: "echo \"$SSH_CONNECTION\" | cut -d' ' -f3")
        let result = await group.script(probe, arguments: ["\(folder)/{host}.dir", "{host}"])
        XCTAssertEqual(result[0].value?.stdoutText, "700 probe.sh [web1]\n127.0.0.2\n")
        XCTAssertEqual(result[1].value?.stdoutText, "700 probe.sh [web2]\n127.0.0.3\n")
        for host in ["web1", "web2"] { await assertRemoved(await recordedFolder("\(folder)/\(host).dir")) }

        // The ssh client dies mid-script: sshd closes the agent's input, and the agent removes the folder.
        let sleeper = try Data(contentsOf: URL(fileURLWithPath: try writeScript(folder, tail: "sleep 30")))
        let tunnel = group.tunnels[0]
        let running = Task { try await tunnel.script(sleeper, name: "probe.sh", arguments: ["\(folder)/k.dir"]) }
        let orphan = await recordedFolder("\(folder)/k.dir")
        let ssh = ProcessTree.descendants().filter {
            let line = ProcessTree.commandLine($0)
            return line.hasPrefix("ssh ") && line.contains("web1")
        }
        XCTAssertFalse(ssh.isEmpty, "no ssh client for web1")
        for pid in ssh { kill(pid, SIGKILL) }
        let outcome = await running.result
        XCTAssertEqual(failure(outcome)?.kind, .connection)
        await assertRemoved(orphan)
        await group.close()
        await assertNoStrayChildren()
    }

    func testLocalScriptRefusesWhatItCannotSendInOneLine() throws {
        let folder = try temporaryFolder(self)
        func message(_ path: String) -> String {
            do {
                _ = try LocalScript.read(path)
                return "read"
            } catch {
                return error.msg
            }
        }
        XCTAssertEqual(message("\(folder)/missing"), "script: no such file: \(folder)/missing")
        XCTAssertEqual(message(folder), "script: \(folder) is a directory")
        XCTAssertEqual(message("/dev/null"), "script: /dev/null is not a regular file")
        XCTAssertEqual(message("/proc/self/mem"), "script: cannot read /proc/self/mem: Input/output error")
        let big = "\(folder)/big"
        XCTAssertTrue(FileManager.default.createFile(atPath: big, contents: nil))
        XCTAssertEqual(truncate(big, off_t(Tunnel.maximumScriptBytes + 1)), 0)
        XCTAssertEqual(message(big), "script: \(big) is larger than 8 MiB; use put and run")
        if geteuid() != 0 {
            let locked = "\(folder)/locked"
            try "echo".write(toFile: locked, atomically: true, encoding: .utf8)
            chmod(locked, 0)
            XCTAssertEqual(message(locked), "script: cannot read \(locked): Permission denied")
        }
    }
}
