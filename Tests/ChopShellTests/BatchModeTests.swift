import Chopsticks
import Foundation
import TestSupport
import XCTest

/// chop as a command: scripts, -c, pipes, exit statuses, errexit, expect, JSON, record and replay.
final class BatchModeTests: XCTestCase {
    func testExitStatuses() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        XCTAssertEqual(try runChop(["-c", "add local a; run true"], folder: folder).status, 0)
        XCTAssertEqual(try runChop(["-c", "add local a; run false"], folder: folder).status, 1)
        let usage = try runChop(["-c", "add local a; frobnicate"], folder: folder)
        XCTAssertEqual(usage.status, 2)
        XCTAssertTrue(usage.err.contains("unknown command 'frobnicate'"), usage.err)
        // Every usage error exits 2, as the README says, ArgumentParser's own included.
        for arguments in [["--fanout", "0"], ["--no-such-flag"], ["--timeout", "x"], ["-c", "a", "-f", "b"]] {
            let result = try runChop(arguments, folder: folder)
            XCTAssertEqual(result.status, 2, "\(arguments): \(result.err)")
            XCTAssertTrue(result.err.contains("Usage:") || result.err.contains("Error:"), result.err)
        }
    }

    /// With --json, stdout holds JSON objects only, one per line, each with the line as typed; echoes and
    /// messages go to stderr.
    func testJSONOutputIsPureJSONWithTheCommandAsTyped() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let commands = [
            "add local a", "add local b", "@a call math.pow 2 10", "hosts", "show a", "failures", "set timeout", "set",
            "log", "run false", "diff a b", "help", "!echo from-the-shell",
        ]
        let result = try runChop(["--json", "-c", commands.joined(separator: "; ")], folder: folder)
        XCTAssertEqual(result.status, 1, result.err)
        let lines = result.out.split(separator: "\n").map(String.init)
        var typed: [String] = []
        for line in lines {
            let object = try XCTUnwrap(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], "not a JSON object: \(line)")
            typed.append(try XCTUnwrap(object["command"] as? String, line))
        }
        XCTAssertEqual(
            typed,
            [
                "@a call math.pow 2 10", "hosts", "show a", "failures", "set timeout", "set", "log", "run false",
                "diff a b",
            ])
        XCTAssertTrue(result.err.contains("chop> @a call math.pow 2 10"), result.err)
        XCTAssertTrue(result.err.contains("from-the-shell"), result.err)
        XCTAssertTrue(result.err.contains("Commands (help COMMAND for details):"), result.err)
        let hosts =
            try XCTUnwrap(
                try JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])["hosts"]
            as? [[String: Any]]
        XCTAssertEqual(hosts?.map { $0["name"] as? String }, ["a", "b"])
    }

    /// A newline inside quotes in -c stays inside the command: the text is split once, as scripts are.
    func testCommandLineIsSplitOnceWithTheScriptReader() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let result = try runChop(
            ["--json", "-c", "add local a; run printf '%s|' \"one\ntwo\"; run echo ok"], folder: folder)
        XCTAssertEqual(result.status, 0, result.err)
        let first = try XCTUnwrap(result.out.split(separator: "\n").first)
        XCTAssertTrue(first.contains(#""stdout":"one\ntwo|""#), String(first))
        let unterminated = try runChop(["-c", "add local a; run echo 'open"], folder: folder)
        XCTAssertEqual(unterminated.status, 2)
        XCTAssertTrue(unterminated.err.contains("-c:1: unterminated single quote"), unterminated.err)
        // On a pipe, a quote left open on one line continues on the next.
        let piped = try runChop(["-q", "--json"], stdin: "add local a\nrun printf '%s' 'x\ny'\n", folder: folder)
        XCTAssertEqual(piped.status, 0, piped.err)
        XCTAssertTrue(piped.out.contains(#""stdout":"x\ny""#), piped.out)
    }

    /// ssh ends its messages with CR LF: `log` shows them without a trailing ^M, but a CR inside a line stays visible.
    func testLogDropsLineEndingCarriageReturns() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let script =
            "add local a\npy import sys; sys.__stderr__.write('warned\\r\\nin\\rside\\n'); sys.__stderr__.flush()\nlog\n"
        let result = try runChop(["-q"], stdin: script, folder: folder)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("a: warned\n"), result.out)
        XCTAssertTrue(result.out.contains("a: in^Mside\n"), result.out)
    }

    func testLogShowsTheTunnelsOwnStderrPerHost() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let script = "add local a\nadd local b\n@a py import sys; sys.__stderr__.write('agent note\\n')\nlog\n"
        let result = try runChop(["-q"], stdin: script, folder: folder)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("a: agent note\n"), result.out)
        XCTAssertFalse(result.out.contains("b: agent note"), result.out)
    }

    func testCommandsOnACommandLineRespectQuoting() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let result = try runChop(["-q", "-c", "add local a; run echo 'x; y'  \"z\""], folder: folder)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("x; y z"), result.out)
        XCTAssertFalse(result.out.contains("chop>"), "--quiet must not echo commands")
    }

    func testScriptEchoesCommandsAndReportsErrorsWithLine() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let script = "\(folder)/s.chop"
        try """
        # a comment
        add local a

        run echo \\
            joined
        set nonsense 1
        run echo never
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let result = try runChop([script], folder: folder)
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.out.contains("chop> run echo joined\n"), result.out)
        XCTAssertTrue(result.out.contains("joined"), result.out)
        XCTAssertTrue(result.err.contains("\(script):6:"), result.err)
        XCTAssertFalse(result.out.contains("never"), result.out)
    }

    func testErrexitStopsAtFirstFailure() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let commands = "add local a; run false; run echo second"
        let without = try runChop(["-c", commands], folder: folder)
        XCTAssertEqual(without.status, 1)
        XCTAssertTrue(without.out.contains("second"), without.out)
        let with = try runChop(["-e", "-c", commands], folder: folder)
        XCTAssertEqual(with.status, 1)
        XCTAssertFalse(with.out.contains("second"), with.out)
        let setting = try runChop(["-c", "set errexit on; " + commands], folder: folder)
        XCTAssertFalse(setting.out.contains("second"), setting.out)
    }

    func testExpectTurnsAScriptIntoACheck() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let passing = try runChop(
            ["-c", "add local a; add local b; @b run false; expect failed b; run true; expect ok"], folder: folder)
        XCTAssertEqual(passing.status, 1, passing.err)  // a host failed along the way, but every expect held
        XCTAssertFalse(passing.err.contains("expect"), passing.err)
        let failing = try runChop(["-c", "add local a; run false; expect ok; run echo after"], folder: folder)
        XCTAssertEqual(failing.status, 2)
        XCTAssertTrue(failing.err.contains("expect ok: failed on a"), failing.err)
        XCTAssertFalse(failing.out.contains("after"), failing.out)
    }

    func testJSONOutputParsesBack() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let result = try runChop(
            ["--json", "-q", "-c", "add local a; add local b; run echo hi; @b run exit 3"], folder: folder)
        let lines = result.out.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, result.out)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["command"] as? String, "run echo hi")
        let hosts = try XCTUnwrap(first["hosts"] as? [[String: Any]])
        XCTAssertEqual(hosts.map { $0["host"] as? String }, ["a", "b"])
        XCTAssertEqual(hosts.map { $0["stdout"] as? String }, ["hi\n", "hi\n"])
        XCTAssertEqual(hosts.map { $0["status"] as? String }, ["ok", "ok"])
        let second = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[1].utf8)) as? [String: Any])
        let failed = try XCTUnwrap((second["hosts"] as? [[String: Any]])?.first)
        XCTAssertEqual(failed["status"] as? String, "failed")
        XCTAssertEqual(failed["exit_code"] as? Int, 3)
        XCTAssertEqual(result.status, 1)
    }

    func testCommandsFromAPipeLineByLine() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let result = try runChop([], stdin: "add local a\nrun echo piped\nquit\nrun echo never\n", folder: folder)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("piped"), result.out)
        XCTAssertFalse(result.out.contains("never"), result.out)
        XCTAssertFalse(result.out.contains("\u{1B}["), "no colour when not on a terminal")
    }

    func testRecordThenReplayGivesTheSameResults() throws {
        try requireChop()
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let script = "\(folder)/recorded.chop"
        let session = """
            add web1 web2
            record \(script)
            set gather off
            run echo $SSH_CONNECTION | cut -d' ' -f3
            @web2 run exit 5
            record off
            run echo not-recorded
            """
        let first = try runChop(["-q", "-F", fleet.configFile], stdin: session, folder: folder)
        XCTAssertEqual(first.status, 1, first.err)
        let text = try String(contentsOfFile: script, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix("# chop session recorded"), text)
        XCTAssertTrue(text.contains("add web1\nadd web2\n"), text)
        XCTAssertFalse(text.contains("not-recorded"), text)
        let replay = try runChop(["-q", "-F", fleet.configFile, script], folder: folder)
        XCTAssertEqual(replay.status, 1, replay.err)
        let strip: (String) -> [String] = { output in
            output.split(separator: "\n").map { line in
                // Times differ between runs; the rest must not.
                line.replacingOccurrences(of: #"\d+\.\d+ s"#, with: "T", options: .regularExpression)
            }
        }
        let replayed = strip(replay.out)
        XCTAssertFalse(replayed.isEmpty)
        XCTAssertEqual(replayed, Array(strip(first.out).prefix(replayed.count)))
        XCTAssertTrue(replay.out.contains("127.0.0.2"), replay.out)
        XCTAssertTrue(replay.out.contains("failed (exit 5)"), replay.out)
    }

    func testSIGTERMEndsEveryChild() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let pid = try Command.start([
            "/bin/sh", "-c",
            "exec \(Tmux.chopBinary) -q -c 'add local a; add local b; run sleep 60' >\(folder)/log 2>&1",
        ])
        let children = ProcessTree.waitForDescendants(of: pid, running: "sleep 60", count: 2)
        XCTAssertEqual(children.map(ProcessTree.commandLine).filter { $0.hasPrefix("sleep 60") }.count, 2)
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual((status >> 8) & 0xff, 143)
        XCTAssertEqual(ProcessTree.survivors(children), [])
    }

    func testCtrlCInBatchModeExits130AndLeavesNothing() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let pid = try Command.start([
            "/bin/sh", "-c",
            "exec \(Tmux.chopBinary) -q -c 'add local a; run sleep 60; run echo never' >\(folder)/log 2>&1",
        ])
        let children = ProcessTree.waitForDescendants(of: pid, running: "sleep 60")
        XCTAssertTrue(children.map(ProcessTree.commandLine).contains { $0.hasPrefix("sleep 60") })
        kill(pid, SIGINT)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual((status >> 8) & 0xff, 130)
        let log = (try? String(contentsOfFile: "\(folder)/log", encoding: .utf8)) ?? ""
        XCTAssertTrue(log.contains("interrupted"), log)
        XCTAssertFalse(log.contains("never"), log)
        XCTAssertEqual(ProcessTree.survivors(children), [])
    }

    /// 20 hosts printing 10 MiB each: chop's own memory stays bounded (keep-bytes in memory, the rest in files),
    /// and show still has every line.
    func testManyLargeOutputsKeepMemoryBounded() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let adds = (1...20).map { "add local h\($0)" }.joined(separator: "\n")
        let script = """
            \(adds)
            run seq 1 1300000
            show h7
            !grep VmHWM /proc/$PPID/status
            """
        try script.write(toFile: "\(folder)/s.chop", atomically: true, encoding: .utf8)
        let line =
            "XDG_STATE_HOME=\(folder)/state \(shellQuote(Tmux.chopBinary)) -q \(folder)/s.chop >\(folder)/out 2>&1"
        XCTAssertEqual(try Command.run(["/bin/sh", "-c", line]).status, 0)
        let output = try String(contentsOfFile: "\(folder)/out", encoding: .utf8)
        XCTAssertTrue(output.contains("\n1300000\n"), "show h7 lost lines")
        let peak = try XCTUnwrap(
            output.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }?.split(separator: " ").dropFirst().first)
        let kilobytes = try XCTUnwrap(Int(peak))
        print("chop peak RSS with 20 hosts x 9.4 MiB of output: \(kilobytes / 1024) MiB")
        XCTAssertLessThan(kilobytes, 120 * 1024, "chop grew to \(kilobytes / 1024) MiB")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: "\(folder)/state/chop/results")) ?? []
        XCTAssertEqual(left, [], "spilled output left behind at exit")
    }

    /// A script connects its members on first use, so that first command goes in ssh's command line
    /// (`OpeningRequest`); an interactive session connects them at once. Its far shell holds the command (the
    /// `[T]` keeps grep's own command line from matching).
    func testAScriptConnectsOnFirstUseWithItsFirstCommandInTheCommandLine() throws {
        let fleet = try requireFleet()
        try requireChop()
        let folder = try temporaryFolder(self)
        let count = "grep -l CHOP_FIRS[T]=.*CHOP_DIR /proc/[0-9]*/cmdline 2>/dev/null | wc -l"
        // The numbers web1 answered, one per run.
        func counts(_ output: String) -> [Int] {
            output.split(separator: "\n").filter { $0.hasPrefix("web1  ok") }.compactMap {
                $0.split(separator: " ").last.flatMap { Int($0) }
            }
        }
        let result = try runChop(
            ["-q", "-F", fleet.configFile, "--persist", "off", "-c", "add web1; hosts; run \(count); run \(count)"],
            folder: folder)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("idle"), "added, not yet connected: \(result.out)")
        XCTAssertEqual(counts(result.out).count, 2, result.out)
        XCTAssertGreaterThan(counts(result.out).first ?? 0, 0, "the first run went in the command line: \(result.out)")
        // `set inline-first off` keeps it on stdin: no command line holds it.
        let off = try runChop(
            [
                "-q", "-F", fleet.configFile, "--persist", "off", "-c",
                "set inline-first off; add web1; run \(count); run \(count)",
            ], folder: folder)
        XCTAssertEqual(off.status, 0, off.err)
        XCTAssertEqual(counts(off.out), [0, 0], off.out)
    }
}
