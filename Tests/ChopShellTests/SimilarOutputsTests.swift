import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Gathering alike answers: what counts as volatile, how blocks form and read, and that words keep answers
/// apart. On synthetic outputs first, then on real ones captured from the loopback fleet.
final class SimilarOutputsTests: XCTestCase {
    private func outcome(_ host: String, _ output: String) -> HostOutcome {
        HostOutcome(host: host, output: output)
    }

    func testVolatileTokensAreWordsWithDigitsAndTheHostName() {
        let split = VolatileText.split(
            "web07 up 3 days, load average: 0.00, 0.05 on 10.0.0.7 at 2026-11-30T05:14:37 id 9f1c2e3a", host: "web07")
        XCTAssertEqual(split.values, ["web07", "3", "0.00", "0.05", "10.0.0.7", "2026-11-30T05:14:37", "9f1c2e3a"])
        XCTAssertEqual(
            split.mask.replacingOccurrences(of: "\u{1}", with: "#"),
            "# up # days, load average: #, # on # at # id #")
        XCTAssertEqual(VolatileText.split("nginx is active", host: "n1").values, [])
        // A short host name counts only as a word of its own, never inside another word.
        XCTAssertEqual(VolatileText.split("same as a, root@a.lan", host: "a").values, ["a", "root@a.lan"])
    }

    func testFortyUptimesShareOneBlockAndWordsStayApart() {
        let uptimes = (1...40).map { index in
            outcome(
                String(format: "node%03d", index),
                " 05:\(10 + index % 7):0\(index % 10) up \(index % 3 + 1) days,  2 users,  load average: "
                    + "0.\(index % 10)0, 0.0\(index % 4), 0.00\n")
        }
        let blocks = SimilarOutputs.blocks(uptimes, mode: .similar, text: \.output)
        XCTAssertEqual(blocks.count, 1)
        XCTAssertEqual(blocks[0].hosts.count, 40)
        XCTAssertEqual(blocks[0].varyingCount, 4, "the time, the days and two load averages")
        XCTAssertEqual(SimilarOutputs.blocks(uptimes, mode: .exact, text: \.output).count, 40)
        XCTAssertEqual(SimilarOutputs.blocks(uptimes, mode: .off, text: \.output).count, 40)

        let states = (1...10).map { outcome("svc\($0)", $0 <= 7 ? "app.service: active\n" : "app.service: failed\n") }
        let apart = SimilarOutputs.blocks(states, mode: .similar, text: \.output)
        XCTAssertEqual(apart.map(\.hosts.count), [7, 3], "largest first")
        XCTAssertEqual(apart[0].lines(plain: { $0 }, render: { $0.summary() }), ["app.service: active"])
    }

    func testSummariesListFewValuesAndRangeMany() {
        let versions = (1...40).map { outcome("h\($0)", "Python \($0 <= 38 ? "3.11.2" : "3.9.2")\n") }
        let block = SimilarOutputs.blocks(versions, mode: .similar, text: \.output)[0]
        XCTAssertEqual(
            block.lines(plain: { $0 }, render: { $0.summary() }), ["Python ⟨3.11.2 ×38 | 3.9.2 ×2⟩"])
        let loads = (1...20).map { outcome("h\($0)", "load \(Double($0) / 10)\n") }
        let range = SimilarOutputs.blocks(loads, mode: .similar, text: \.output)[0]
        XCTAssertEqual(range.lines(plain: { $0 }, render: { $0.summary() }), ["load ⟨0.1–2.0, median 1.0⟩"])
        let ids = (1...9).map { outcome("h\($0)", "id a\($0)b\n") }
        XCTAssertEqual(
            SimilarOutputs.blocks(ids, mode: .similar, text: \.output)[0].lines(
                plain: { $0 }, render: { $0.summary() }),
            ["id ⟨9 values⟩"])
    }

    func testBlockViewShowsHeadersCutsLongBlocksAndTablesFailures() {
        var outcomes = (1...3).map { outcome("web\($0)", "line a \($0)\nline b\n") }
        outcomes.append(outcome("web4", (1...50).map { "row \($0)" }.joined(separator: "\n") + "\n"))
        outcomes.append(HostOutcome(host: "web5", state: .failed, exitCode: 2, reason: "exit 2", errorOutput: "boom\n"))
        let report = OperationReport(operation: "run x", outcomes: outcomes, elapsed: 0.5)
        let lines = ResultRenderer().blocks(report, mode: .similar, maxLines: 10)
        XCTAssertEqual(
            Array(lines.prefix(3)), ["── web[1-3] (3) ok · 1 token vary ──", "line a ⟨1 ×1 | 2 ×1 | 3 ×1⟩", "line b"])
        XCTAssertEqual(lines[3], "── web4 (1) ok ──")
        XCTAssertEqual(lines[14], "… 40 more lines: show web4, or set max-lines 0")
        XCTAssertTrue(lines.contains { $0.hasPrefix("web5") && $0.contains("failed (exit 2)") }, "\(lines)")
        XCTAssertEqual(ResultRenderer.outliers(report, mode: .similar), ["web4", "web5"])
    }

    func testHostTextInABlockIsSanitised() {
        let report = OperationReport(
            operation: "run x",
            outcomes: [outcome("a", "\u{1B}]0;pwned\u{07} 1\n"), outcome("b", "\u{1B}]0;pwned\u{07} \u{1B}[2J2\n")],
            elapsed: 0.1)
        for line in ResultRenderer().blocks(report, mode: .similar, maxLines: 40) {
            XCTAssertFalse(line.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" }, line.debugDescription)
        }
    }

    /// Binary output can hold the mask's own placeholder (`\u{1}`): it is a value like any token, shown
    /// sanitised, and the block view does not crash on it (it indexed past the values before).
    func testTheMaskPlaceholderInHostTextIsAValue() {
        XCTAssertEqual(VolatileText.split("a\u{1}b 7", host: "h").values, ["\u{1}", "7"])
        let report = OperationReport(
            operation: "run x", outcomes: [outcome("a", "x\u{1}\u{1} 1\n"), outcome("b", "x\u{1}\u{1} 2\n")],
            elapsed: 0.1)
        let lines = ResultRenderer().blocks(report, mode: .similar, maxLines: 40)
        XCTAssertEqual(lines.count, 2, "\(lines)")
        XCTAssertTrue(lines.last?.hasPrefix("x^A^A ") == true, "\(lines)")
    }

    /// Real answers from the loopback fleet (four aliases of one machine): each command's answers are alike but
    /// for volatile tokens, so they share one block, and `show` still has the exact text.
    func testRealFleetOutputsGatherIntoOneBlock() async throws {
        let fleet = try requireFleet()
        let recording = RecordingIO()
        var settings = ShellSettings()
        settings.output = .blocks
        let session = Session(settings: settings, io: recording.io, sshConfigFile: fleet.configFile)
        await session.execute("add web[1-4]")
        for command in [
            "uptime", "df -h /", "date +%s.%N", "cat /etc/os-release", "echo $SSH_CONNECTION",
            "ip -brief addr 2>/dev/null || cat /proc/net/dev",
        ] {
            _ = recording.takeOut()
            let result = await session.execute("run \(command)")
            XCTAssertEqual(result, .ok, "\(command): \(recording.takeErr())")
            let lines = recording.takeOut()
            let headers = lines.filter { $0.hasPrefix("── ") }
            XCTAssertEqual(headers.count, 1, "\(command):\n\(lines.joined(separator: "\n"))")
            XCTAssertTrue(headers.first?.hasPrefix("── web[1-4] (4) ok") == true, "\(command): \(headers)")
        }
        // ps lists what runs at that moment, so hosts may differ in how many lines they print: those that print
        // as many lines share a block, none is lost.
        _ = recording.takeOut()
        await session.execute("run ps -o pid,comm")
        let last = await session.lastReport
        let report = try XCTUnwrap(last)
        let headers = recording.takeOut().filter { $0.hasPrefix("── ") }
        let blocks = SimilarOutputs.blocks(report.outcomes, mode: .similar, text: \.output)
        XCTAssertEqual(headers.count, blocks.count)
        XCTAssertEqual(blocks.map(\.hosts.count).reduce(0, +), 4)
        for block in blocks {
            let members = report.outcomes.filter { block.hosts.contains($0.host) }
            let shapes = Set(members.map { VolatileText.split($0.output, host: $0.host).mask })
            XCTAssertEqual(shapes.count, 1, "a block holds answers that differ in more than volatile tokens")
        }
        // A block summarises the connection addresses; show gives one host's exact text.
        await session.execute("run echo $SSH_CONNECTION")
        _ = recording.takeOut()
        await session.execute("show web3")
        XCTAssertTrue(recording.takeOut().contains { $0.contains(" 127.0.0.4 ") }, "show web3")
        await session.close()
    }

    /// Forty real hosts (Local members) running uptime share one block; a service that is active on some and
    /// failed on others makes two blocks, the larger first, the others named as outliers.
    func testFortyRealHostsRunningUptimeShareOneBlock() async throws {
        let recording = RecordingIO()
        var settings = ShellSettings()
        settings.output = .blocks
        let session = Session(settings: settings, io: recording.io)
        await session.execute("add local h1")
        for index in 2...40 { await session.execute("add local h\(index)") }
        _ = recording.takeOut()
        let result = await session.execute("run uptime; echo pid $$")
        XCTAssertEqual(result, .ok, "\(recording.takeErr())")
        let lines = recording.takeOut()
        let headers = lines.filter { $0.hasPrefix("── ") }
        XCTAssertEqual(headers.count, 1, lines.joined(separator: "\n"))
        XCTAssertTrue(headers[0].hasPrefix("── h[1-40] (40) ok · "), headers[0])
        XCTAssertTrue(lines.contains { $0.hasPrefix("pid ⟨") && $0.hasSuffix("40 values⟩") }, "\(lines)")

        await session.execute("@h[1-30] py state = 'active'")
        await session.execute("@h[31-40] py state = 'failed'")
        _ = recording.takeOut()
        await session.execute("py print('app.service: ' + state)")
        let split = recording.takeOut()
        XCTAssertEqual(split.filter { $0.hasPrefix("── ") }, ["── h[1-30] (30) ok ──", "── h[31-40] (10) ok ──"])
        XCTAssertTrue(split.last?.hasSuffix("@outliers = h[31-40]") == true, "\(split)")
        await session.close()
    }
}
