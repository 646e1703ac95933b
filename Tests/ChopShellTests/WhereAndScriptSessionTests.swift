import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

@testable import ChopShell

/// `where`, `use where` and `script` through a session, on Local members and on the loopback sshd fleet.
final class WhereAndScriptSessionTests: SessionTestCase {
    /// The hosts of the last result.
    private func lastHosts() async -> [String] {
        await session.lastReport?.outcomes.map(\.host) ?? []
    }

    func testParsing() throws {
        func parsed(_ text: String) throws -> any ChopCommand { try XCTUnwrap(try CommandParser.parse(text)).command }
        XCTAssertEqual(
            try parsed("where --exclude os.path.exists('/x') ") as? WhereCommand,
            WhereCommand(expression: "os.path.exists('/x')", exclude: true))
        XCTAssertEqual(try parsed("where --excluded") as? WhereCommand, WhereCommand(expression: "--excluded"))
        XCTAssertEqual(
            try parsed("use where -1 # not a comment") as? UseWhereCommand,
            UseWhereCommand(condition: WhereCommand(expression: "-1 # not a comment")))
        XCTAssertEqual(try parsed("use web1") as? UseCommand, UseCommand(target: "web1"))
        XCTAssertEqual(
            try parsed("script ./s.sh -v --x=1 '{host}'") as? ScriptCommand,
            ScriptCommand(local: "./s.sh", arguments: ["-v", "--x=1", "{host}"]))
        for (text, message) in [
            ("where", "where needs a Python expression, e.g. where os.path.exists('/etc/nginx')"),
            ("where --exclude ", "where needs a Python expression, e.g. where os.path.exists('/etc/nginx')"),
            ("use where", "use where needs a Python expression, e.g. use where os.path.exists('/etc/nginx')"),
            ("script", "script needs a local file, e.g. script ./check.sh — usage: script LOCAL_FILE [ARG...]"),
            (
                "script -v",
                "'-v' is not a file name; write ./-name for a file whose name starts with '-' — usage: "
                    + "script LOCAL_FILE [ARG...]"
            ),
        ] {
            XCTAssertThrowsError(try CommandParser.parse(text), text) { error in
                XCTAssertEqual((error as? ParseError)?.message, message)
            }
        }
    }

    func testWhereMakesMatchAndNomatchOnLocalMembers() async throws {
        await run("add local a")
        await run("add local b")
        await run("add local c")
        await run("@a py flag = {1}")
        await run("@b py flag = set()")
        var step = await run("where flag")
        XCTAssertEqual(step.result, .hostsFailed, "c raises NameError")
        XCTAssertTrue(step.out.contains { $0.hasPrefix("a ") && $0.hasSuffix("{1}") }, "\(step.out)")
        XCTAssertTrue(step.out.contains { $0.hasPrefix("b ") && $0.hasSuffix("set()") }, "\(step.out)")
        XCTAssertTrue(step.out.contains { $0.hasPrefix("c ") && $0.contains("NameError") }, "\(step.out)")
        let kept = await session.lastReport?.number
        let number = try XCTUnwrap(kept)
        XCTAssertTrue(step.out.last?.contains("· %\(number) · @failed = c ·") == true, "\(step.out)")
        XCTAssertTrue(step.out.last?.hasSuffix(" · @match = a · @nomatch = b") == true, "\(step.out)")
        // The sets outlive the next operations, and the where's numbered result keeps its own.
        await run("@match run echo {host}")
        var hosts = await lastHosts()
        XCTAssertEqual(hosts, ["a"])
        await run("@nomatch run echo {host}")
        hosts = await lastHosts()
        XCTAssertEqual(hosts, ["b"])
        step = await run("where --exclude flag")
        XCTAssertTrue(step.out.last?.hasSuffix(" · @match = b · @nomatch = a") == true, "\(step.out)")
        await run("@%\(number).match ping")
        hosts = await lastHosts()
        XCTAssertEqual(hosts, ["a"])
        step = await run("@%\(number - 1).match ping")
        XCTAssertTrue(step.err.first?.contains("@%N.match and @%N.nomatch of a where") == true, "\(step.err)")

        // A module is imported for the expression; a value of None is shown, and is false.
        step = await run("where os.environ.get('NO_SUCH_VARIABLE')")
        XCTAssertTrue(step.out.contains { $0.hasSuffix(" None") }, "\(step.out)")
        XCTAssertTrue(step.out.last?.hasSuffix("@nomatch = a,b,c") == true, "\(step.out)")
        // Not an expression: one line, no result.
        let before = await session.history.nextNumber
        step = await run("where flag = 1")
        XCTAssertEqual(step.result, .error)
        XCTAssertEqual(step.err.count, 1)
        XCTAssertTrue(step.err[0].hasPrefix("chop: where: not a Python expression: "), "\(step.err)")
        let after = await session.history.nextNumber
        XCTAssertEqual(after, before)

        await run("set output json")
        step = await run("@a,b where flag")
        let object = try JSONParser.parse(try XCTUnwrap(step.out.first))
        XCTAssertEqual(object["match"], ["a"])
        XCTAssertEqual(object["nomatch"], ["b"])
        XCTAssertEqual(object["hosts"]?.arrayValue?.first?["value"], .string("{1}"))
    }

    func testUseWhereNarrowsTheTargetOrLeavesIt() async throws {
        await run("add local a")
        await run("add local b")
        await run("add local c")
        await run("@a,c py role = 'web'")
        var step = await run("use where globals().get('role') == 'web'")
        XCTAssertEqual(step.result, .ok, "\(step)")
        var prompt = await session.prompt()
        XCTAssertEqual(prompt, "chop @a,c 3 hosts> ")
        step = await run("use where False")
        XCTAssertEqual(step.err, ["chop: the expression is true on no host; the target stays @a,c"])
        step = await run("use where --exclude globals().get('role') == 'web' or '{host}' == 'x'")
        XCTAssertEqual(step.err, ["chop: the expression is true on no host; the target stays @a,c"])
        step = await run("use where __import__('os').getpid() % 1 == 0 and __name__ == '__chop__'")
        prompt = await session.prompt()
        XCTAssertEqual(prompt, "chop @a,c 3 hosts> ", "narrowed within the current target: \(step)")
    }

    func testScriptOnLocalMembersWithBadInputsAsOneLine() async throws {
        let folder = try temporaryFolder(self)
        await run("add local a")
        await run("add local b")
        let probe = "\(folder)/probe"
        try "#!/bin/sh\necho \"$(stat -c %a \"$(dirname \"$0\")\") $(basename \"$0\") [$*]\"\n".write(
            toFile: probe, atomically: true, encoding: .utf8)
        var step = await run("script \(probe) -v {host} 'two words'")
        XCTAssertEqual(step.result, .ok, "\(step)")
        let outputs = await session.lastReport?.outcomes.map(\.output)
        XCTAssertEqual(outputs, ["700 probe [-v a two words]\n", "700 probe [-v b two words]\n"])
        XCTAssertEqual(step.out.last?.hasPrefix("2 hosts: 2 ok"), true, "\(step.out)")

        await run("set timeout 0.5")
        try "sleep 30\n".write(toFile: "\(folder)/slow", atomically: true, encoding: .utf8)
        step = await run("@a script \(folder)/slow")
        XCTAssertEqual(step.result, .hostsFailed)
        XCTAssertTrue(step.out.contains { $0.contains("failed (timed out)") }, "\(step.out)")

        for (line, message) in [
            ("script \(folder)/missing", "chop: script: no such file: \(folder)/missing"),
            ("script \(folder)", "chop: script: \(folder) is a directory"),
            ("script /dev/null", "chop: script: /dev/null is not a regular file"),
            ("@nosuch script \(probe)", "chop: no member named 'nosuch'; 'hosts' lists them, 'add nosuch' adds it"),
        ] {
            step = await run(line)
            XCTAssertEqual(step.result, .error, line)
            XCTAssertEqual(step.err, [message])
        }
    }

    func testWhereAndScriptOnTheLoopbackFleet() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        await run("add web1 web2 web3 closed")
        var step = await run("where os.environ['SSH_CONNECTION'].split()[2] != '127.0.0.3'")
        XCTAssertEqual(step.result, .hostsFailed)
        XCTAssertTrue(
            step.out.last?.hasSuffix(" · @match = web[1,3] · @nomatch = web2") == true, "\(step.out)")
        try "#!/usr/bin/env python3\nimport os, sys\nprint(sys.argv[1], os.environ['SSH_CONNECTION'].split()[2])\n"
            .write(toFile: "\(folder)/where.py", atomically: true, encoding: .utf8)
        step = await run("@match script \(folder)/where.py {host}")
        XCTAssertEqual(step.result, .ok, "\(step)")
        let outputs = await session.lastReport?.outcomes.map(\.output)
        XCTAssertEqual(outputs, ["web1 127.0.0.2\n", "web3 127.0.0.4\n"])
        step = await run("use where --exclude os.environ['SSH_CONNECTION'].split()[2] != '127.0.0.3'")
        let prompt = await session.prompt()
        XCTAssertTrue(prompt.hasPrefix("chop @web2 4 hosts"), prompt)
    }
}
