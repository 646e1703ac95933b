import Foundation
import XCTest

@testable import ChopShell

/// Golden tests: the table and its companions are what people read all day, so every expected line is spelled out,
/// here or in a snapshot file (`__Snapshots__/ResultRendererTests/`, re-recorded with `CHOP_RECORD_SNAPSHOTS=1`).
final class ResultRendererTests: XCTestCase {
    private let plain = ResultRenderer()

    /// Three hosts that printed the same thing, at different speeds.
    private let identical = OperationReport(
        operation: "run uptime",
        outcomes: ["web1", "web2", "web3"].enumerated().map { index, host in
            HostOutcome(host: host, seconds: [0.12, 0.25, 0.1][index], output: "up 3 days, load 0.00\n")
        },
        elapsed: 0.31)

    /// One of everything: identical ok hosts, a failing command, unreachable hosts, a signal, two kinds of timeout.
    private let mixed = OperationReport(
        operation: "run cat /etc/app.conf",
        outcomes: [
            HostOutcome(host: "web01", seconds: 0.12, output: "port=80\n"),
            HostOutcome(
                host: "web02", state: .failed, exitCode: 1, reason: "exit 1", seconds: 0.08,
                errorOutput: "cat: /etc/app.conf: No such file or directory\n"),
            HostOutcome(host: "web03", seconds: 0.2, output: "port=80\n"),
            HostOutcome(host: "web04", state: .error, reason: "unreachable: connection refused"),
            HostOutcome(host: "web05", state: .failed, signal: 9, reason: "signal 9", seconds: 1.5),
            HostOutcome(host: "web06", state: .error, reason: "unreachable: connection refused"),
            HostOutcome(host: "web07", state: .failed, reason: "timed out", seconds: 10),
            HostOutcome(host: "web08", state: .error, reason: "timed out after 10 s", seconds: 10.02),
        ],
        elapsed: 10.05)

    /// Output that tries to set the window title, clear the screen and move the cursor, from every angle.
    private let attack = OperationReport(
        operation: "run \u{1B}[2Jevil",
        outcomes: [
            HostOutcome(
                host: "evil1", seconds: 0.01, output: "\u{1B}]0;pwned\u{07}\u{1B}[2J\nline2\u{1B}[1A\r\n",
                errorOutput: "\u{9B}31m\u{1B}c\n"),
            HostOutcome(
                host: "evil2\u{1B}[8m", state: .error, reason: "remote exception: \u{1B}[31mRed\u{07}",
                errorOutput: "\u{202E}dlrow\n", traceback: "\u{1B}[H\u{1B}[2J\n"),
            HostOutcome(
                host: "evil3", state: .failed, exitCode: 3, reason: "exit 3\u{1B}[A", seconds: 0.02,
                output: "\r\u{1B}[Kfake ok\n", truncated: true),
        ],
        elapsed: 0.02)

    // MARK: - Table

    func testIdenticalOutputIsGatheredIntoOneRow() {
        XCTAssertEqual(
            plain.table(identical),
            [
                "HOSTS         STATUS    TIME  OUTPUT",
                "web[1-3] (3)  ok      0.25 s  up 3 days, load 0.00",
            ])
    }

    func testMixedResultsGroupInOrderOfFirstAppearance() {
        assertSnapshot(plain.table(mixed), named: "table-mixed")
    }

    func testGatherOffGivesOneRowPerHostInMemberOrder() {
        let renderer = ResultRenderer(gather: false)
        assertSnapshot(renderer.table(mixed), named: "table-mixed-gather-off")
        XCTAssertEqual(renderer.table(identical).count, 4)
    }

    func testGatheringRequiresIdenticalStderrAndExitCode() {
        let report = OperationReport(
            operation: "run x",
            outcomes: [
                HostOutcome(host: "n1", state: .failed, exitCode: 1, reason: "exit 1", errorOutput: "e\n"),
                HostOutcome(host: "n2", state: .failed, exitCode: 2, reason: "exit 2", errorOutput: "e\n"),
                HostOutcome(host: "n3", state: .failed, exitCode: 1, reason: "exit 1", errorOutput: "f\n"),
                HostOutcome(host: "n4", state: .failed, exitCode: 1, reason: "exit 1", errorOutput: "e\n"),
            ],
            elapsed: 1)
        XCTAssertEqual(
            plain.table(report),
            [
                "HOSTS       STATUS           TIME  OUTPUT",
                "n[1,4] (2)  failed (exit 1)        e",
                "n2          failed (exit 2)        e",
                "n3          failed (exit 1)        f",
            ])
    }

    func testMultiLineOutputShowsFirstLineAndWhatElseThereIs() {
        let report = OperationReport(
            operation: "run ls",
            outcomes: [
                HostOutcome(host: "db1", seconds: 0.05, output: "a\nb\nc\n"),
                HostOutcome(host: "db2", seconds: 0.05, output: "a\n"),
                HostOutcome(host: "db3", seconds: 0.05, output: "a\nb\n", errorOutput: "warn\n"),
                HostOutcome(host: "db4", seconds: 0.05, errorOutput: "only\nstderr\n"),
                HostOutcome(host: "db5", seconds: 0.05, output: "x\n", truncated: true),
                HostOutcome(host: "db6", output: "no final newline\nsecond"),
                HostOutcome(host: "db7", output: "crlf\r\nline\r\n"),
            ],
            elapsed: 0.1)
        assertSnapshot(plain.table(report), named: "table-multi-line")
    }

    func testWideOutputIsCutToTheWidthButKeepsItsNote() {
        let report = OperationReport(
            operation: "run cat big",
            outcomes: [
                HostOutcome(
                    host: "app1.example.com", seconds: 0.5,
                    output: String(repeating: "abcdefghij", count: 10) + "\nsecond\nthird\n"),
                HostOutcome(host: "app2.example.com", seconds: 0.25, output: "short\n"),
            ],
            elapsed: 0.5)
        let lines = ResultRenderer(width: 60).table(report)
        XCTAssertEqual(
            lines,
            [
                "HOST              STATUS    TIME  OUTPUT",
                "app1.example.com  ok      0.50 s  abcdefghijabcd… (+2 lines)",
                "app2.example.com  ok      0.25 s  short",
            ])
        XCTAssertEqual(lines.map(TerminalText.displayWidth).max(), 60)
    }

    func testLongErrorReasonIsShortInStatusAndFullInOutput() {
        let report = OperationReport(
            operation: "exec f()",
            outcomes: [
                HostOutcome(
                    host: "app2.example.com", state: .error,
                    reason: "remote exception: ValueError: " + String(repeating: "v", count: 80), traceback: "tb\n")
            ],
            elapsed: 0.5)
        XCTAssertEqual(
            ResultRenderer(width: 80).table(report),
            [
                "HOST              STATUS                    TIME  OUTPUT",
                "app2.example.com  error (remote exception)        remote exception… (+traceback)",
            ])
    }

    func testEveryLineFitsTheWidthEvenWhenNarrow() {
        for width in [22, 30, 45, 60, 80] {
            for line in ResultRenderer(width: width).table(mixed) {
                XCTAssertLessThanOrEqual(TerminalText.displayWidth(line), width, "width \(width): \(line)")
            }
        }
        XCTAssertEqual(
            ResultRenderer(width: 40).table(mixed),
            [
                "HOSTS        STATUS           TIME  OUT…",
                "web[01… (2)  ok             0.20 s  por…",
                "web02        failed (exi…   0.08 s  cat…",
                "web[04… (2)  error (unre…           unr…",
                "web05        failed (sig…   1.50 s",
                "web07        failed (tim…  10.00 s",
                "web08        error (time…  10.02 s",
            ])
    }

    func testWideCharactersAreMeasuredInColumns() {
        let report = OperationReport(
            operation: "run echo",
            outcomes: [
                HostOutcome(host: "jp1", output: "日本語のテキストがとても長い行です\n"),
                HostOutcome(host: "jp2", output: "ascii\n"),
            ],
            elapsed: 0.1)
        let lines = ResultRenderer(width: 30).table(report)
        XCTAssertEqual(
            lines,
            [
                "HOST  STATUS  TIME  OUTPUT",
                "jp1   ok            日本語の…",
                "jp2   ok            ascii",
            ])
        XCTAssertTrue(lines.allSatisfy { TerminalText.displayWidth($0) <= 30 })
    }

    func testInterruptedHostsAreErrors() {
        let report = OperationReport(
            operation: "run sleep 60",
            outcomes: [
                HostOutcome(host: "s1", seconds: 0.01, output: ""),
                HostOutcome(host: "s2", state: .error, reason: "interrupted"),
                HostOutcome(host: "s3", state: .error, reason: "interrupted"),
            ],
            elapsed: 2.5, interrupted: true)
        XCTAssertEqual(
            plain.table(report),
            [
                "HOSTS       STATUS                 TIME  OUTPUT",
                "s1          ok                   0.01 s",
                "s[2-3] (2)  error (interrupted)",
            ])
        XCTAssertEqual(plain.summary(report), "3 hosts: 1 ok, 2 errors · 2.50 s · interrupted · @failed = s[2-3]")
    }

    func testEmptyReportPointsToAdd() {
        let empty = OperationReport(operation: "run uptime", outcomes: [], elapsed: 0)
        XCTAssertEqual(plain.table(empty), ["no hosts: add some with 'add HOST' (or 'add local')"])
        XCTAssertEqual(plain.failures(empty), ["no hosts: add some with 'add HOST' (or 'add local')"])
        XCTAssertEqual(plain.lines(empty), [])
        XCTAssertEqual(plain.summary(empty), "no hosts · 0.00 s")
        XCTAssertEqual(
            plain.json(empty), #"{"command":"run uptime","elapsed":0.0,"hosts":[],"interrupted":false,"result":null}"#)
    }

    // MARK: - Escape sequences

    func testEscapeSequencesFromHostsAreShownNotSent() {
        assertSnapshot(plain.table(attack), named: "table-attack")
        let everything = [
            plain.table(attack), plain.lines(attack), plain.failures(attack), [plain.summary(attack)],
            attack.outcomes.flatMap(plain.show),
            [plain.progress(operation: attack.operation, done: 1, total: 3, failed: 1, elapsed: 0.5)],
        ].flatMap { $0 }
        for line in everything {
            XCTAssertFalse(line.utf8.contains(0x1B), "raw ESC in \(line.debugDescription)")
            XCTAssertFalse(line.utf8.contains(0x07), "raw BEL in \(line.debugDescription)")
            XCTAssertFalse(line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
            XCTAssertFalse(line.unicodeScalars.contains { (0x202A...0x202E).contains($0.value) })
        }
        XCTAssertTrue(plain.json(attack).unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F })
    }

    func testWithColourOnlySelectGraphicRenditionIsEmitted() {
        let colour = ResultRenderer(color: true)
        let everything = [
            colour.table(attack), colour.lines(attack), colour.failures(attack), [colour.summary(attack)],
            attack.outcomes.flatMap(colour.show),
            [colour.progress(operation: attack.operation, done: 1, total: 3, failed: 1, elapsed: 0.5)],
        ].flatMap { $0 }
        for line in everything {
            XCTAssertFalse(line.utf8.contains(0x07), "raw BEL in \(line.debugDescription)")
            let stripped = Self.removingSGR(line)
            XCTAssertFalse(stripped.utf8.contains(0x1B), "non-SGR escape in \(line.debugDescription)")
        }
        XCTAssertEqual(colour.table(attack).map(Self.removingSGR), plain.table(attack))
    }

    // MARK: - Colour

    func testColourMarksStatusOnlyAndKeepsAlignment() {
        let colour = ResultRenderer(color: true)
        XCTAssertEqual(
            colour.table(mixed),
            [
                "HOSTS           STATUS                           TIME  OUTPUT",
                "web[01,03] (2)  \u{1B}[32mok\u{1B}[0m                             0.20 s  port=80",
                "web02           \u{1B}[1;31mfailed (exit 1)\u{1B}[0m                0.08 s  "
                    + "cat: /etc/app.conf: No such file or directory",
                "web[04,06] (2)  \u{1B}[1;35merror (unreachable)\u{1B}[0m                    "
                    + "unreachable: connection refused",
                "web05           \u{1B}[1;31mfailed (signal 9)\u{1B}[0m              1.50 s",
                "web07           \u{1B}[1;31mfailed (timed out)\u{1B}[0m            10.00 s",
                "web08           \u{1B}[1;35merror (timed out after 10 s)\u{1B}[0m  10.02 s",
            ])
        XCTAssertEqual(colour.table(mixed).map(Self.removingSGR), plain.table(mixed))
        XCTAssertEqual(
            colour.summary(mixed),
            "8 hosts: \u{1B}[32m2 ok\u{1B}[0m, \u{1B}[1;31m3 failed\u{1B}[0m, \u{1B}[1;35m3 errors\u{1B}[0m"
                + " · 10.05 s · @failed = web[02,04-08]")
    }

    func testFailuresStandOutWithoutColour() {
        let statuses = ResultRenderer(gather: false).table(mixed).dropFirst().map { $0.split(separator: " ")[1] }
        XCTAssertEqual(statuses, ["ok", "failed", "ok", "error", "failed", "error", "failed", "error"])
    }

    // MARK: - Summary

    func testSummaryVariants() {
        XCTAssertEqual(plain.summary(identical), "3 hosts: 3 ok · 0.31 s")
        XCTAssertEqual(plain.summary(mixed), "8 hosts: 2 ok, 3 failed, 3 errors · 10.05 s · @failed = web[02,04-08]")

        let one = OperationReport(operation: "run true", outcomes: [HostOutcome(host: "local")], elapsed: 0.004)
        XCTAssertEqual(plain.summary(one), "1 host: 1 ok · 0.00 s")

        let oneFailed = OperationReport(
            operation: "run false",
            outcomes: [HostOutcome(host: "local", state: .failed, exitCode: 1, reason: "exit 1")], elapsed: 0.84)
        XCTAssertEqual(plain.summary(oneFailed), "1 host: 0 ok, 1 failed · 0.84 s · @failed = local")

        var twelve = (1...12).map { HostOutcome(host: String(format: "web%02d", $0)) }
        twelve[2] = HostOutcome(host: "web03", state: .failed, exitCode: 2, reason: "exit 2")
        twelve[6] = HostOutcome(host: "web07", state: .error, reason: "unreachable: connection refused")
        let report = OperationReport(operation: "run uptime", outcomes: twelve, elapsed: 0.8412)
        XCTAssertEqual(plain.summary(report), "12 hosts: 10 ok, 1 failed, 1 error · 0.84 s · @failed = web[03,07]")
    }

    // MARK: - JSON

    func testJSONIsOneSortedLineThatParsesBack() throws {
        let report = OperationReport(
            operation: "run \"x\" \\ y",
            outcomes: [
                HostOutcome(host: "web1", exitCode: 0, seconds: 0.1234567, output: "héllo 日本\n\t\u{1B}[31m\u{0}"),
                HostOutcome(
                    host: "web2", state: .failed, exitCode: nil, signal: 9, reason: "signal 9", seconds: 2,
                    errorOutput: "killed\r\n\u{2028}\u{9B}", truncated: true),
                HostOutcome(
                    host: "web3", state: .error, reason: "remote exception: ValueError: x",
                    traceback: "Traceback (most recent call last):\n  File \"<x>\"\nValueError: x\n"),
            ],
            elapsed: 2.5, interrupted: true)
        let text = plain.json(report)
        XCTAssertFalse(text.contains("\n"))
        XCTAssertTrue(text.hasPrefix(#"{"command":"run \"x\" \\ y","elapsed":2.5,"hosts":[{"exit_code":0,"#))
        XCTAssertTrue(text.contains(#""stdout":"héllo 日本\n\t\u001b[31m\u0000""#))
        XCTAssertTrue(text.contains(#""stderr":"killed\r\n\u2028\u009b""#))
        XCTAssertTrue(text.hasSuffix(#""truncated":false,"value":null}],"interrupted":true,"result":null}"#))

        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(Set(object.keys), ["command", "elapsed", "hosts", "interrupted", "result"])
        XCTAssertEqual(object["command"] as? String, "run \"x\" \\ y")
        XCTAssertEqual(object["elapsed"] as? Double, 2.5)
        XCTAssertEqual(object["interrupted"] as? Bool, true)
        let hosts = try XCTUnwrap(object["hosts"] as? [[String: Any]])
        XCTAssertEqual(hosts.count, 3)
        let keys: Set = [
            "host", "status", "exit_code", "signal", "reason", "seconds", "stdout", "stderr", "traceback", "truncated",
            "value",
        ]
        XCTAssertTrue(hosts.allSatisfy { Set($0.keys) == keys })

        XCTAssertEqual(hosts[0]["host"] as? String, "web1")
        XCTAssertEqual(hosts[0]["status"] as? String, "ok")
        XCTAssertEqual(hosts[0]["exit_code"] as? Int, 0)
        XCTAssertTrue(hosts[0]["signal"] is NSNull)
        XCTAssertTrue(hosts[0]["reason"] is NSNull)
        XCTAssertEqual(hosts[0]["seconds"] as? Double, 0.123457)
        XCTAssertEqual(hosts[0]["stdout"] as? String, "héllo 日本\n\t\u{1B}[31m\u{0}")
        XCTAssertEqual(hosts[0]["stderr"] as? String, "")
        XCTAssertTrue(hosts[0]["traceback"] is NSNull)
        XCTAssertEqual(hosts[0]["truncated"] as? Bool, false)

        XCTAssertEqual(hosts[1]["status"] as? String, "failed")
        XCTAssertTrue(hosts[1]["exit_code"] is NSNull)
        XCTAssertEqual(hosts[1]["signal"] as? Int, 9)
        XCTAssertEqual(hosts[1]["reason"] as? String, "signal 9")
        XCTAssertEqual(hosts[1]["seconds"] as? Double, 2)
        XCTAssertEqual(hosts[1]["stderr"] as? String, "killed\r\n\u{2028}\u{9B}")
        XCTAssertEqual(hosts[1]["truncated"] as? Bool, true)

        XCTAssertEqual(hosts[2]["status"] as? String, "error")
        XCTAssertEqual(hosts[2]["reason"] as? String, "remote exception: ValueError: x")
        XCTAssertTrue(hosts[2]["seconds"] is NSNull)
        XCTAssertEqual(
            hosts[2]["traceback"] as? String, "Traceback (most recent call last):\n  File \"<x>\"\nValueError: x\n")
    }

    func testJSONHostObjectHasSortedKeys() {
        let report = OperationReport(
            operation: "ping", outcomes: [HostOutcome(host: "a", seconds: 0.001)], elapsed: 0.0015)
        XCTAssertEqual(
            plain.json(report),
            #"{"command":"ping","elapsed":0.0015,"hosts":[{"exit_code":null,"host":"a","reason":null,"#
                + #""seconds":0.001,"signal":null,"status":"ok","stderr":"","stdout":"","traceback":null,"#
                + #""truncated":false,"value":null}],"interrupted":false,"result":null}"#)
    }

    // MARK: - Lines

    func testLinesPrefixEveryLineWithItsHost() {
        let report = OperationReport(
            operation: "run x",
            outcomes: [
                HostOutcome(host: "web1", output: "one\ntwo\n"),
                HostOutcome(host: "web2", output: "\n"),
                HostOutcome(host: "web3", state: .failed, exitCode: 2, output: "partial", errorOutput: "bad\r\n"),
                HostOutcome(host: "web4", state: .error, reason: "unreachable: connection refused"),
                HostOutcome(host: "web5", output: ""),
                HostOutcome(host: "web6", state: .failed, signal: 9),
            ],
            elapsed: 1)
        XCTAssertEqual(
            plain.lines(report),
            [
                "web1: one",
                "web1: two",
                "web2: ",
                "web3: partial",
                "web3:err: bad",
                "web3: failed: exit 2",
                "web4: error: unreachable: connection refused",
                "web6: failed: signal 9",
            ])
    }

    // MARK: - Show

    func testShowPrintsEverythingOneHostSent() {
        let outcome = HostOutcome(
            host: "web3", state: .error, reason: "remote exception: ValueError: x", seconds: 0.5,
            output: "started\nworking\n", errorOutput: "warning: low disk\n",
            traceback: "Traceback (most recent call last):\n  File \"<chop>\", line 1, in <module>\nValueError: x\n")
        assertSnapshot(plain.show(outcome), named: "show-everything")
    }

    func testShowOfSilentAndTruncatedHosts() {
        XCTAssertEqual(plain.show(HostOutcome(host: "a", seconds: 0.1)), ["a · ok · 0.10 s", "(no output)"])
        XCTAssertEqual(
            plain.show(HostOutcome(host: "b", state: .failed, exitCode: 1, output: "x\n", truncated: true)),
            ["b · failed (exit 1)", "x", "--- output truncated ---"])
        XCTAssertEqual(
            ResultRenderer(color: true).show(HostOutcome(host: "c", state: .failed, exitCode: 2, errorOutput: "e")),
            ["c · \u{1B}[1;31mfailed (exit 2)\u{1B}[0m", "\u{1B}[1m--- stderr ---\u{1B}[0m", "e"])
    }

    // MARK: - Failures

    func testFailuresListOnlyFailingHostsWithTheirStory() {
        let report = OperationReport(
            operation: "run deploy",
            outcomes: [
                HostOutcome(host: "web1", seconds: 0.1, output: "done\n"),
                HostOutcome(
                    host: "web2", state: .failed, exitCode: 2, reason: "exit 2", seconds: 0.3, output: "step 1\n",
                    errorOutput: "deploy: disk full\nrolled back\n"),
                HostOutcome(host: "web3", state: .error, reason: "unreachable: connection refused"),
                HostOutcome(host: "web4", state: .error, reason: "unreachable: connection refused"),
                HostOutcome(
                    host: "web5", state: .failed, exitCode: 1, reason: "exit 1", seconds: 0.2,
                    output: "error reported on stdout\n", truncated: true),
                HostOutcome(
                    host: "web6", state: .error, reason: "remote exception: ValueError: x", seconds: 0.05,
                    traceback: "Traceback (most recent call last):\n  File \"<chop>\", line 1\nValueError: x\n"),
            ],
            elapsed: 0.3)
        assertSnapshot(plain.failures(report), named: "failures-story")
        XCTAssertEqual(
            ResultRenderer(gather: false).failures(report)[3...4],
            ["web3 · error (unreachable: connection refused)", "web4 · error (unreachable: connection refused)"])
    }

    func testFailuresWhenAllIsWell() {
        XCTAssertEqual(plain.failures(identical), ["no failures: 3 hosts ok"])
        let one = OperationReport(operation: "run true", outcomes: [HostOutcome(host: "local")], elapsed: 0)
        XCTAssertEqual(plain.failures(one), ["no failures: 1 host ok"])
    }

    // MARK: - Progress

    func testProgressLine() {
        XCTAssertEqual(
            plain.progress(operation: "run", done: 37, total: 100, failed: 2, elapsed: 1.43),
            "run  37/100 done · 2 failed · 1.4 s")
        XCTAssertEqual(
            plain.progress(operation: "run uptime", done: 100, total: 100, failed: 0, elapsed: 12),
            "run uptime 100/100 done · 12.0 s")
        XCTAssertEqual(
            plain.progress(operation: "run", done: 3, total: 100, failed: 0, elapsed: 0.04),
            "run   3/100 done · 0.0 s")
        XCTAssertEqual(
            ResultRenderer(color: true).progress(operation: "run", done: 5, total: 9, failed: 1, elapsed: 1),
            "run 5/9 done · \u{1B}[1;31m1 failed\u{1B}[0m · 1.0 s")
    }

    func testProgressNamesTheRunningPendingAndSlowestHosts() {
        XCTAssertEqual(
            plain.progress(
                operation: "run", done: 37, total: 100, failed: 0, elapsed: 0.5, running: ["web07", "web12"]),
            "run  37/100 done · 2 running · 61 pending · 0.5 s")
        XCTAssertEqual(
            ResultRenderer(width: 200).progress(
                operation: "run x", done: 90, total: 100, failed: 1, elapsed: 4.2,
                running: (1...10).map { "n\($0)" }),
            "run x  90/100 done · 1 failed · 10 running · 4.2 s · waiting on n1,n2,n3 +7")
    }

    func testProgressFitsTheWidthByCuttingTheCommand() {
        let renderer = ResultRenderer(width: 40)
        let line = renderer.progress(
            operation: "run find / -name '*.log' -mtime +7 -delete", done: 37, total: 100, failed: 2, elapsed: 1.4)
        XCTAssertEqual(line, "run fin…  37/100 done · 2 failed · 1.4 s")
        XCTAssertEqual(TerminalText.displayWidth(line), 40)
        XCTAssertEqual(
            ResultRenderer(width: 20).progress(operation: "run x", done: 1, total: 2, failed: 1, elapsed: 1),
            "1/2 done · 1 failed…")
        XCTAssertEqual(
            ResultRenderer(width: 80).progress(operation: "run a\nb", done: 1, total: 2, failed: 0, elapsed: 1),
            "run a^Jb 1/2 done · 1.0 s")
    }

    // MARK: - Helpers

    func testLineSplittingAndSanitizing() {
        XCTAssertEqual(ResultRenderer.HostText.lines(""), [])
        XCTAssertEqual(ResultRenderer.HostText.lines("\n"), [""])
        XCTAssertEqual(ResultRenderer.HostText.lines("a\n\nb"), ["a", "", "b"])
        XCTAssertEqual(ResultRenderer.HostText.lines("a\r\nb\rc\r"), ["a", "b^Mc^M"])
        XCTAssertEqual(ResultRenderer.HostText.lines("tab\there\u{1B}"), ["tab here^["])
        XCTAssertEqual(ResultRenderer.HostText.lineCount(""), 0)
        XCTAssertEqual(ResultRenderer.HostText.lineCount("a"), 1)
        XCTAssertEqual(ResultRenderer.HostText.lineCount("a\n"), 1)
        XCTAssertEqual(ResultRenderer.HostText.lineCount("a\r\nb"), 2)
        XCTAssertEqual(ResultRenderer.HostText.firstLine("a\r\nb"), "a")
        XCTAssertEqual(ResultRenderer.HostText.firstLine("only\r"), "only^M")
        XCTAssertEqual(ResultRenderer.shortReason("unreachable: connection refused"), "unreachable")
        XCTAssertEqual(ResultRenderer.shortReason("timed out after 10 s"), "timed out after 10 s")
        XCTAssertEqual(ResultRenderer.shortReason(": odd"), ": odd")
        XCTAssertEqual(ResultRenderer.seconds(0.004), "0.00 s")
        XCTAssertEqual(ResultRenderer.seconds(0.125), "0.13 s")
        XCTAssertEqual(ResultRenderer.seconds(123.456), "123.46 s")
        XCTAssertEqual(ResultRenderer.seconds(-1), "0.00 s")
        XCTAssertEqual(ResultRenderer.seconds(.nan), "? s")
    }

    /// The line with every `ESC [ params m` removed, to compare coloured output with plain output.
    private static func removingSGR(_ line: String) -> String {
        var result = String.UnicodeScalarView()
        var scalars = line.unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            if scalar == "\u{1B}", scalars.first == "[" {
                let rest = scalars.dropFirst()
                if let end = rest.firstIndex(where: { !("0"..."9").contains($0) && $0 != ";" }), rest[end] == "m" {
                    scalars = rest[rest.index(after: end)...]
                    continue
                }
            }
            result.append(scalar)
        }
        return String(result)
    }
}
