import Chopsticks

/// Turns the outcome of one operation on a fleet into the text chop prints.
///
/// A fleet answers with many near-identical results, and the one host that differs is what matters. The default
/// view is therefore a table with one row per *group* of hosts whose results are identical (like `clush -b` or
/// `dshbak -c`), showing only the first line of output so that a hundred hosts fit on a screen and a failure
/// stands out. Everything a host sent is untrusted and goes through `TerminalText.sanitize` line by line before it
/// reaches the terminal; the only escape sequences the renderer ever emits are its own SGR colour codes, and only
/// when `color` is true.
///
/// Other views serve other needs: `lines` for grep and scripts, `json` for machines, `show` for one host's whole
/// output, `failures` for what went wrong, `summary` and `progress` for the status line.
public struct ResultRenderer: Sendable {
    /// Whether to colour status words with ANSI SGR codes; the caller turns it off when stdout is not a terminal.
    public var color: Bool
    /// Terminal width in columns. Table lines and the progress line never exceed it, except that table columns
    /// keep `TextTable.minimumColumnWidth`, so a four-column table needs at least 22 columns.
    public var width: Int
    /// Whether the table and `failures` merge hosts with identical results into one row.
    public var gather: Bool
    /// Whether the table also merges hosts whose answers differ only in volatile tokens (`gather similar`),
    /// showing the varying tokens summarised in place and, in colour, a histogram of numeric ones.
    public var similar: Bool

    public init(color: Bool = false, width: Int = 100, gather: Bool = true, similar: Bool = false) {
        self.color = color
        self.width = width
        self.gather = gather
        self.similar = gather && similar
    }

    /// What the table and `failures` say for an empty fleet: pointing to the fix is more useful than an empty table.
    public static let noHostsMessage = "no hosts: add some with 'add HOST' (or 'add local')"

    /// Longest short reason in the STATUS column, so one verbose error cannot push the OUTPUT column off screen.
    static let maximumShortReasonWidth = 24

    // MARK: - Table

    /// The main view: a header line and one line per host or group of identical hosts, fitted to `width`.
    ///
    /// Columns are HOST (HOSTS when any row holds several), STATUS, TIME and OUTPUT:
    /// - HOST is `NodeSet.fold` of the group's names plus ` (N)` for N > 1 hosts; rows appear in order of first
    ///   appearance. Hosts are grouped when state, reason, exit code, signal, stdout, stderr and the truncation
    ///   flag are all equal (with `gather` off, every host gets its own row).
    /// - STATUS is `ok`, `failed (exit 2)`, `failed (signal 9)`, `failed (timed out)` or `error (SHORT)`, where
    ///   SHORT is the reason up to its first ": " (`unreachable`, `remote exception`). The word itself marks
    ///   failures, so they stand out without colour too.
    /// - TIME is the slowest host of the group, `0.12 s`, right-aligned so the decimal points line up.
    /// - OUTPUT is the first line of stdout, or of stderr when stdout is empty; for an error whose reason was
    ///   shortened it is the full reason instead. A note in parentheses says what else there is:
    ///   `(+2 lines, +1 stderr line, +traceback, truncated)`. When the cell is too wide its text is cut with "…"
    ///   but the note is kept, because "there is more" is the part a reader must not miss.
    ///
    /// Lines carry no trailing spaces and no newline. The summary line is separate (`summary`).
    public func table(_ report: OperationReport) -> [String] {
        guard !report.outcomes.isEmpty else { return [Self.noHostsMessage] }
        let grouped = groups(of: report.outcomes, includingTraceback: false, similar: similar)
        let rows = grouped.map(tableRow)
        let headers = [rows.contains { $0.hostCount > 1 } ? "HOSTS" : "HOST", "STATUS", "TIME", "OUTPUT"]

        var layout = TextTable(headers: headers)
        for row in rows {
            layout.addRow([row.hosts.text, row.status, row.time, row.output.text])
        }
        let widths = layout.columnWidths(maxWidth: width)

        let header = zip(headers, widths).map { TerminalText.truncate($0, toWidth: $1) }
        var lines = [
            assemble(
                [
                    TableCell(text: header[0]), TableCell(text: header[1]),
                    TableCell(text: header[2], rightAligned: true), TableCell(text: header[3]),
                ], widths: widths)
        ]
        for (row, group) in zip(rows, grouped) {
            lines.append(
                assemble(
                    [
                        TableCell(text: row.hosts.fitted(to: widths[0])),
                        TableCell(text: TerminalText.truncate(row.status, toWidth: widths[1]), style: row.state),
                        TableCell(text: TerminalText.truncate(row.time, toWidth: widths[2]), rightAligned: true),
                        TableCell(text: row.output.fitted(to: widths[3])),
                    ], widths: widths))
            if color, let block = group.block { lines += histograms(block, widths: widths) }
        }
        return lines
    }

    /// Under a row whose first line has numeric tokens that spread, one line per token in the OUTPUT column:
    /// `▁▁▂▅█▇▃▁ 0.02–3.91` (colour only: a terminal, where people would rather look than read).
    func histograms(_ block: SimilarOutputs.Block, widths: [Int]) -> [String] {
        let indent = String(repeating: " ", count: widths.prefix(3).reduce(0, +) + 3 * TextTable.columnGap)
        return Self.firstLine(of: block).variables.compactMap(histogramLine).map { indent + $0 }
    }

    /// `▁▁▂▅█▇▃▁ 0.02–3.91` for a numeric token whose values spread; nil for any other.
    func histogramLine(_ variable: SimilarOutputs.Variable) -> String? {
        guard let bars = variable.histogram(), let spread = variable.spread() else { return nil }
        return paint(bars, code: SGR.cyan) + " " + TerminalText.sanitize("\(spread.low)–\(spread.high)")
    }

    // MARK: - Lines

    /// Every output line prefixed with its host, for grep, sort and scripts (like `clush` without `-b`).
    ///
    /// Per host, in member order: stdout lines as `host: line`, then stderr lines as `host:err: line`, then for a
    /// host that did not succeed one status line `host: failed: exit 2` or `host: error: unreachable: …`, so a
    /// failure is never silent. Hosts that printed nothing and succeeded produce no lines. Lines are not cut to
    /// the width (terminals wrap; scripts want everything); tracebacks are left to `show` and `failures`.
    public func lines(_ report: OperationReport) -> [String] {
        var result: [String] = []
        for outcome in report.outcomes {
            let host = TerminalText.sanitize(outcome.host)
            if !report.streamedOutput {
                for line in HostText.lines(outcome.output) {
                    result.append("\(host): \(line)")
                }
                for line in HostText.lines(outcome.errorOutput) {
                    result.append("\(host):err: \(line)")
                }
            }
            if outcome.isFailure {
                let word = outcome.state.rawValue
                let status = Self.reasonText(outcome).map { "\(word): \($0)" } ?? word
                result.append("\(host): " + paint(status, outcome.state))
            }
        }
        return result
    }

    // MARK: - Summary

    /// The one-line verdict printed after every operation:
    /// `12 hosts: 10 ok, 1 failed, 1 error · 0.84 s · @failed = web03,web07`.
    ///
    /// `ok` is always counted so "0 ok" is visible; `failed` and `error(s)` only appear when non-zero, so a clean
    /// run reads short. `interrupted` follows the time after Ctrl-C. `@failed` lists failed and errored hosts
    /// (`NodeSet.fold`), because that is the group the user retries next; it is not cut to the width, since a
    /// partial host list would be wrong.
    public func summary(_ report: OperationReport) -> String {
        let total = report.outcomes.count
        let okCount = report.outcomes.count { $0.state == .ok }
        let changedCount = report.outcomes.count { $0.state == .changed }
        let failedCount = report.outcomes.count { $0.state == .failed }
        let errorCount = report.outcomes.count { $0.state == .error }
        let skippedCount = report.outcomes.count { $0.state == .skipped }

        var parts: [String]
        if total == 0 {
            parts = ["no hosts"]
        } else {
            var counts = [okCount > 0 ? paint("\(okCount) ok", .ok) : "0 ok"]
            if changedCount > 0 {
                // "3 changed" alone when nothing else succeeded: they are the ok ones, changed.
                counts[0] = paint("\(changedCount) changed", .changed) + (okCount > 0 ? ", " + counts[0] : "")
            }
            if failedCount > 0 {
                counts.append(paint("\(failedCount) failed", .failed))
            }
            if errorCount > 0 {
                counts.append(paint(counted(errorCount, "error"), .error))
            }
            if skippedCount > 0 {
                counts.append(paint("\(skippedCount) skipped", .skipped))
            }
            parts = [counted(total, "host") + ": " + counts.joined(separator: ", ")]
        }
        parts.append(Self.seconds(report.elapsed))
        if let number = report.number { parts.append("%\(number)") }
        if report.interrupted {
            parts.append("interrupted")
        }
        let failedHosts = report.failedHosts
        if !failedHosts.isEmpty {
            parts.append("@failed = " + TerminalText.sanitize(NodeSet.fold(failedHosts)))
        }
        let skippedHosts = report.skippedHosts
        if !skippedHosts.isEmpty {
            parts.append("@skipped = " + TerminalText.sanitize(NodeSet.fold(skippedHosts)))
        }
        if !report.outliers.isEmpty {
            parts.append("@outliers = " + TerminalText.sanitize(NodeSet.fold(report.outliers)))
        }
        if let match = report.match, !match.matching.isEmpty || !match.notMatching.isEmpty {
            parts.append(
                "@match = " + (match.matching.isEmpty ? "none" : TerminalText.sanitize(NodeSet.fold(match.matching))))
            if !match.notMatching.isEmpty {
                parts.append("@nomatch = " + TerminalText.sanitize(NodeSet.fold(match.notMatching)))
            }
        }
        return parts.joined(separator: " · ")
    }

    // MARK: - Show

    /// Everything one host sent, for `show HOST` after the table showed only a first line.
    ///
    /// A heading `web03 · failed (exit 2) · 0.12 s` (with the full reason), then every stdout line as is, then
    /// `--- stderr ---` and the stderr lines, then `--- traceback ---` and the traceback, each section only when
    /// non-empty. `(no output)` says that nothing was printed; `--- output truncated ---` closes output that hit
    /// the transfer cap. Lines are sanitized but not cut to the width, so they can be copied whole.
    public func show(_ outcome: HostOutcome) -> [String] {
        var result = [heading(TerminalText.sanitize(outcome.host), outcome, seconds: outcome.seconds)]
        let stdout = HostText.lines(outcome.output)
        let stderr = HostText.lines(outcome.errorOutput)
        let traceback = HostText.lines(outcome.traceback ?? "")
        result += stdout
        if !stderr.isEmpty {
            result.append(emphasize("--- stderr ---"))
            result += stderr
        }
        if !traceback.isEmpty {
            result.append(emphasize("--- traceback ---"))
            result += traceback
        }
        if stdout.isEmpty && stderr.isEmpty && traceback.isEmpty {
            result.append("(no output)")
        }
        if outcome.truncated {
            result.append(emphasize("--- output truncated ---"))
        }
        return result
    }

    // MARK: - Failures

    /// Only the hosts that failed or errored, each with its full reason and the text that explains it.
    ///
    /// One block per host (or, with `gather`, per group of hosts with identical results and traceback): a heading
    /// as in `show`, then, indented by two spaces, the stderr lines — or the stdout lines when stderr is empty,
    /// since some tools report errors on stdout — then the traceback, then `(output truncated)` if applicable.
    /// Without failures the single line `no failures: N hosts ok` confirms that there is nothing to see.
    public func failures(_ report: OperationReport) -> [String] {
        guard !report.outcomes.isEmpty else { return [Self.noHostsMessage] }
        let failing = report.outcomes.filter(\.isFailure)
        guard !failing.isEmpty else { return ["no failures: " + counted(report.outcomes.count, "host") + " ok"] }

        var result: [String] = []
        for group in groups(of: failing, includingTraceback: true) {
            let outcome = group.outcome
            result.append(heading(Self.hostsCell(group.hosts).text, outcome, seconds: group.seconds))
            let stderr = HostText.lines(outcome.errorOutput)
            let body = stderr.isEmpty ? HostText.lines(outcome.output) : stderr
            result += body.map { "  " + $0 }
            result += HostText.lines(outcome.traceback ?? "").map { "  " + $0 }
            if outcome.truncated {
                result.append("  (output truncated)")
            }
        }
        return result
    }

    // MARK: - Progress

    /// The status line redrawn while an operation runs:
    /// `run uptime  37/100 done · 2 failed · 8 running · 53 pending · 1.4 s · waiting on web07,web12 +6`.
    ///
    /// `done` is padded to the width of `total` so the line does not jitter as the count grows; `failed` only
    /// appears when non-zero. The line fits `width`: the operation text is cut first (with "…"), because the
    /// counters are the point. No newline, so the caller can redraw it with "\r".
    /// `running` are the hosts still at work, longest first; the counts appear once any runs, and the slowest
    /// hosts' names once an operation has taken a second.
    public func progress(
        operation: String, done: Int, total: Int, failed: Int, elapsed: Double, running: [String] = []
    ) -> String {
        let totalText = String(total)
        let doneText = String(done)
        let padded = String(repeating: " ", count: max(0, totalText.count - doneText.count)) + doneText
        let failedText = failed > 0 ? "\(failed) failed" : nil
        var counters = [padded + "/" + totalText + " done"]
        if let failedText {
            counters.append(failedText)
        }
        if !running.isEmpty {
            counters.append("\(running.count) running")
            let pending = total - done - running.count
            if pending > 0 { counters.append("\(pending) pending") }
        }
        counters.append(Self.fixed(elapsed, decimals: 1) + " s")
        if !running.isEmpty, elapsed >= 1 {
            let named = running.prefix(3).map { TerminalText.sanitize($0) }.joined(separator: ",")
            counters.append("waiting on " + named + (running.count > 3 ? " +\(running.count - 3)" : ""))
        }
        let counterText = counters.joined(separator: " · ")
        let counterWidth = TerminalText.displayWidth(counterText)

        let name = HostText.oneLine(operation)
        var prefix = ""
        if !name.isEmpty {
            let room = width - counterWidth - 1
            if TerminalText.displayWidth(name) <= room {
                prefix = name + " "
            } else if room >= TextTable.minimumColumnWidth {
                prefix = TerminalText.truncate(name, toWidth: room) + " "
            }
        }
        guard counterWidth <= width else {
            return TerminalText.truncate(counterText, toWidth: max(1, width))
        }
        guard let failedText, color else { return prefix + counterText }
        counters[1] = paint(failedText, .failed)
        return prefix + counters.joined(separator: " · ")
    }
}
