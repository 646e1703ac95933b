import Chopsticks
import Foundation
import XCTest

@testable import ChopShell

/// Many numbers at a glance: in the table, answers that differ only in volatile tokens share a row with the
/// varying tokens summarised (`⟨100 values⟩`, or the spread of measurements `⟨0.02–3.91, median 0.4⟩`), and on a
/// terminal a histogram line shows their shape; `show` and JSON keep every exact value. Snapshots in
/// `__Snapshots__/NumbersAtAGlanceTests/`, with and without colour.
final class NumbersAtAGlanceTests: XCTestCase {
    private let plain = ResultRenderer(similar: true)
    private let colour = ResultRenderer(color: true, similar: true)

    /// `worker pid N ready` from web1…web100: distinct whole numbers name things, so they are counted.
    private let pids = OperationReport(
        operation: "run echo worker pid $$ ready",
        outcomes: (1...100).map {
            HostOutcome(host: "web\($0)", seconds: 0.1, output: "worker pid \(4000 + $0 * 7) ready\n")
        },
        elapsed: 0.3)

    /// Load averages of 100 hosts (most low, a tail of busy ones) and one host that failed.
    private var loads: OperationReport {
        var outcomes = (1...100).map { index -> HostOutcome in
            let load = index <= 70 ? Double(index % 9) * 0.05 + 0.02 : Double(index - 70) * 0.13
            return HostOutcome(host: "node\(index)", seconds: 0.2, output: "load \(String(format: "%.2f", load)) ok\n")
        }
        outcomes.append(
            HostOutcome(
                host: "node101", state: .failed, exitCode: 1, reason: "exit 1", seconds: 0.1, errorOutput: "no\n"))
        return OperationReport(operation: "run cat /proc/loadavg", outcomes: outcomes, elapsed: 0.4)
    }

    func testAlikeAnswersShareATableRowWithTheirValuesCounted() {
        let lines = plain.table(pids)
        XCTAssertEqual(lines.count, 2, "\(lines)")
        assertSnapshot(lines, named: "pids-plain")
        assertSnapshot(colour.table(pids), named: "pids-colour")
        // Without `gather similar` (gather exact), each host has its own row, as before.
        XCTAssertEqual(ResultRenderer().table(pids).count, 101)
    }

    func testMeasurementsShowTheirSpreadAndOnATerminalAHistogram() {
        let lines = plain.table(loads)
        XCTAssertTrue(lines[1].hasSuffix("load ⟨0.02–3.90, median 0.32⟩ ok"), lines[1])
        XCTAssertFalse(lines.joined().contains("▁"), "no histogram without colour")
        assertSnapshot(lines, named: "loads-plain")
        let painted = colour.table(loads)
        XCTAssertEqual(painted.count, lines.count + 1, "one histogram line under the group")
        XCTAssertTrue(painted[2].contains("█"), painted[2])
        XCTAssertTrue(painted[2].allSatisfy { " ▁▂▃▄▅▆▇█0123456789.–\u{1B}[;m".contains($0) }, painted[2])
        assertSnapshot(painted, named: "loads-colour")
    }

    /// The block view (several lines per host) shows the spread in place and, in colour, a histogram line under
    /// the block for each numeric token that spreads.
    func testBlocksShowTheSpreadAndOnATerminalAHistogram() {
        var report = loads
        report.outcomes = report.outcomes.map { outcome in
            var outcome = outcome
            if outcome.state == .ok { outcome.output = "uptime report\n" + outcome.output }
            return outcome
        }
        let lines = plain.blocks(report, mode: .similar, maxLines: 0)
        XCTAssertTrue(lines.contains("load ⟨0.02–3.90, median 0.32⟩ ok"), "\(lines)")
        XCTAssertFalse(lines.joined().contains("▁"), "no histogram without colour")
        let painted = colour.blocks(report, mode: .similar, maxLines: 0)
        XCTAssertEqual(painted.count, lines.count + 1, "one histogram line under the block")
        let histogram = painted[3]
        XCTAssertTrue(histogram.contains("█") && histogram.hasSuffix(" 0.02–3.90"), histogram)
        assertSnapshot(painted, named: "blocks-colour")
    }

    func testShowAndJSONKeepEveryExactValue() throws {
        let report = loads
        let json = plain.json(report)
        for outcome in report.outcomes where outcome.state == .ok {
            XCTAssertTrue(json.contains("\"stdout\":\"\(outcome.output.dropLast())\\n\""), outcome.host)
            XCTAssertEqual(plain.show(outcome).last, String(outcome.output.dropLast()))
        }
    }

    /// `call` results that are numbers gather the same way; their JSON value is the number.
    func testCallResultsThatAreNumbers() {
        let outcomes = (1...30).map { index in
            HostOutcome(
                host: "db\(index)", seconds: 0.05, output: "\(Double(index * index) / 10)",
                value: .double(Double(index * index) / 10))
        }
        let report = OperationReport(operation: "call os.getloadavg", outcomes: outcomes, elapsed: 0.1)
        assertSnapshot(plain.table(report), named: "call-numbers-plain")
        assertSnapshot(colour.table(report), named: "call-numbers-colour")
        XCTAssertTrue(plain.json(report).contains("\"value\":90"))
    }

    /// `facts memory`: human units in the view, bytes in JSON.
    func testFactsShowSizesInBinaryUnitsAndJSONKeepsBytes() {
        let outcomes = (1...12).map { index -> HostOutcome in
            let total = Int64(index) * 2 * 1024 * 1024 * 1024
            let memory: JSONValue = .object(["total": .int(total), "available": .int(total / 3)])
            return HostOutcome.facts("h\(index)", Facts(values: ["memory": memory]), names: ["memory"])
        }
        XCTAssertEqual(outcomes[0].output, "total 2.0 GiB, available 682.7 MiB")
        XCTAssertEqual(outcomes[1].output, "total 4.0 GiB, available 1.3 GiB")
        let report = OperationReport(operation: "facts memory", outcomes: outcomes, elapsed: 0.1)
        assertSnapshot(plain.table(report), named: "facts-memory-plain")
        XCTAssertTrue(plain.json(report).contains("\"total\":25769803776"))
        XCTAssertEqual(FactText.bytes(512), "512 B")
        XCTAssertEqual(FactText.bytes(1536), "1.5 KiB")
    }
}
