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

    public init(color: Bool = false, width: Int = 100, gather: Bool = true) {
        self.color = color
        self.width = width
        self.gather = gather
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
        let rows = groups(of: report.outcomes, includingTraceback: false).map(tableRow)
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
        for row in rows {
            lines.append(
                assemble(
                    [
                        TableCell(text: row.hosts.fitted(to: widths[0])),
                        TableCell(text: TerminalText.truncate(row.status, toWidth: widths[1]), style: row.state),
                        TableCell(text: TerminalText.truncate(row.time, toWidth: widths[2]), rightAligned: true),
                        TableCell(text: row.output.fitted(to: widths[3])),
                    ], widths: widths))
        }
        return lines
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
            for line in HostText.lines(outcome.output) {
                result.append("\(host): \(line)")
            }
            for line in HostText.lines(outcome.errorOutput) {
                result.append("\(host):err: \(line)")
            }
            if outcome.isFailure {
                let word = outcome.state.rawValue
                let status = Self.reasonText(outcome).map { "\(word): \($0)" } ?? word
                result.append("\(host): " + paint(status, outcome.state))
            }
        }
        return result
    }

    // MARK: - JSON

    /// The whole report as one line of JSON, for scripts (`jq`) and for saving results.
    ///
    /// `{"command":…,"elapsed":…,"hosts":[…],"interrupted":…}` with one object per host, in member order:
    /// `exit_code`, `host`, `reason`, `seconds`, `signal`, `status` (`ok`/`failed`/`error`), `stderr`, `stdout`,
    /// `traceback`, `truncated`, `value`. `command` is the line as typed, target included. `value` is the
    /// result as data (a call's return value exactly, with integers of any size; a fetch's `remote_path`,
    /// `local_path`, `size`, `sha1sum`); non-finite floats in it are the strings `"NaN"`, `"Infinity"` and
    /// `"-Infinity"`. Keys are sorted so the text is stable for diffs and tests; absent values are `null`; times
    /// are rounded to microseconds. Strings carry the host's text unsanitized (it is data here), but every
    /// control character is escaped (`JSONWriter`), so even printing the JSON to a terminal is safe.
    public func json(_ report: OperationReport) -> String {
        JSONValue.object([
            "command": .string(report.operation),
            "elapsed": Self.jsonSeconds(report.elapsed),
            "hosts": .array(report.outcomes.map(Self.jsonObject)),
            "interrupted": .bool(report.interrupted),
        ]).jsonText
    }

    /// One host's outcome as a JSON object (see `json(_:)`), also what `show` prints in JSON mode.
    public static func jsonObject(_ outcome: HostOutcome) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func integer(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
        return .object([
            "exit_code": integer(outcome.exitCode),
            "host": .string(outcome.host),
            "reason": text(outcome.reason),
            "seconds": outcome.seconds.map(jsonSeconds) ?? .null,
            "signal": integer(outcome.signal),
            "status": .string(outcome.state.rawValue),
            "stderr": .string(outcome.errorOutput),
            "stdout": .string(outcome.output),
            "traceback": text(outcome.traceback),
            "truncated": .bool(outcome.truncated),
            "value": outcome.value ?? .null,
        ])
    }

    /// Rounded to microseconds so clock noise does not show as 17 digits.
    static func jsonSeconds(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        return .double((value * 1_000_000).rounded() / 1_000_000)
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
        let failedCount = report.outcomes.count { $0.state == .failed }
        let errorCount = report.outcomes.count { $0.state == .error }

        var parts: [String]
        if total == 0 {
            parts = ["no hosts"]
        } else {
            var counts = [okCount > 0 ? paint("\(okCount) ok", .ok) : "0 ok"]
            if failedCount > 0 {
                counts.append(paint("\(failedCount) failed", .failed))
            }
            if errorCount > 0 {
                counts.append(paint(counted(errorCount, "error"), .error))
            }
            parts = [counted(total, "host") + ": " + counts.joined(separator: ", ")]
        }
        parts.append(Self.seconds(report.elapsed))
        if report.interrupted {
            parts.append("interrupted")
        }
        let failedHosts = report.failedHosts
        if !failedHosts.isEmpty {
            parts.append("@failed = " + TerminalText.sanitize(NodeSet.fold(failedHosts)))
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

    /// The status line redrawn while an operation runs: `run uptime  37/100 done · 2 failed · 1.4 s`.
    ///
    /// `done` is padded to the width of `total` so the line does not jitter as the count grows; `failed` only
    /// appears when non-zero. The line fits `width`: the operation text is cut first (with "…"), because the
    /// counters are the point. No newline, so the caller can redraw it with "\r".
    public func progress(operation: String, done: Int, total: Int, failed: Int, elapsed: Double) -> String {
        let totalText = String(total)
        let doneText = String(done)
        let padded = String(repeating: " ", count: max(0, totalText.count - doneText.count)) + doneText
        let failedText = failed > 0 ? "\(failed) failed" : nil
        var counters = [padded + "/" + totalText + " done"]
        if let failedText {
            counters.append(failedText)
        }
        counters.append(Self.fixed(elapsed, decimals: 1) + " s")
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

// MARK: - Grouping and cells

extension ResultRenderer {
    /// Hosts with identical results, shown as one row or block.
    struct Group {
        var hosts: [String]
        /// The first member's outcome; the others differ at most in host, time and (for the table) traceback.
        var outcome: HostOutcome
        /// The slowest member's time, because the group was only done when its slowest member was.
        var seconds: Double?
    }

    /// Everything that must match for two hosts to share a row.
    private struct GroupKey: Hashable {
        var state: HostOutcome.State
        var reason: String?
        var exitCode: Int?
        var signal: Int?
        var output: String
        var errorOutput: String
        var truncated: Bool
        /// Only for `failures`, which prints the traceback; the table does not show it, so paths or line numbers
        /// that differ between hosts should not split a row there.
        var traceback: String?
    }

    /// Groups outcomes in order of first appearance, or one group per host when `gather` is off.
    func groups(of outcomes: [HostOutcome], includingTraceback: Bool) -> [Group] {
        guard gather else {
            return outcomes.map { Group(hosts: [$0.host], outcome: $0, seconds: $0.seconds) }
        }
        var positions: [GroupKey: Int] = [:]
        var result: [Group] = []
        for outcome in outcomes {
            let key = GroupKey(
                state: outcome.state, reason: outcome.reason, exitCode: outcome.exitCode, signal: outcome.signal,
                output: outcome.output, errorOutput: outcome.errorOutput, truncated: outcome.truncated,
                traceback: includingTraceback ? outcome.traceback : nil)
            if let position = positions[key] {
                result[position].hosts.append(outcome.host)
                if let seconds = outcome.seconds {
                    result[position].seconds = max(result[position].seconds ?? seconds, seconds)
                }
            } else {
                positions[key] = result.count
                result.append(Group(hosts: [outcome.host], outcome: outcome, seconds: outcome.seconds))
            }
        }
        return result
    }

    /// A cell whose trailing note survives truncation: `main` is cut before `note` is.
    struct NotedCell {
        var main: String
        var note: String = ""

        var text: String {
            if note.isEmpty { return main }
            return main.isEmpty ? note : main + " " + note
        }

        /// The text cut to `width` columns, keeping the note whole while at least a few columns of `main` remain.
        func fitted(to width: Int) -> String {
            let full = text
            guard TerminalText.displayWidth(full) > width else { return full }
            let room = width - TerminalText.displayWidth(note) - 1
            guard !note.isEmpty, !main.isEmpty, room >= TextTable.minimumColumnWidth else {
                return TerminalText.truncate(full, toWidth: width)
            }
            return TerminalText.truncate(main, toWidth: room) + " " + note
        }
    }

    /// One table row before layout, as plain (sanitized, uncoloured) text.
    struct TableRow {
        var hosts: NotedCell
        var hostCount: Int
        var state: HostOutcome.State
        var status: String
        var time: String
        var output: NotedCell
    }

    /// One laid-out cell: final text, its colour, and its alignment.
    private struct TableCell {
        var text: String
        var style: HostOutcome.State?
        var rightAligned: Bool

        init(text: String, style: HostOutcome.State? = nil, rightAligned: Bool = false) {
            self.text = text
            self.style = style
            self.rightAligned = rightAligned
        }
    }

    /// `web[1-3] (3)`: the folded names, with the count as a note so it survives truncation.
    static func hostsCell(_ hosts: [String]) -> NotedCell {
        NotedCell(
            main: TerminalText.sanitize(NodeSet.fold(hosts)), note: hosts.count > 1 ? "(\(hosts.count))" : "")
    }

    func tableRow(_ group: Group) -> TableRow {
        let outcome = group.outcome
        let reason = Self.reasonText(outcome)
        var status = outcome.state.rawValue
        var reasonShortened = false
        if let reason {
            let short = Self.shortReason(reason)
            reasonShortened = short != reason
            status += " (\(short))"
        }

        var main = ""
        var notes: [String] = []
        let stdoutCount = HostText.lineCount(outcome.output)
        let stderrCount = HostText.lineCount(outcome.errorOutput)
        if outcome.state == .error, reasonShortened, let reason {
            main = reason
            if stdoutCount > 0 {
                notes.append("+" + counted(stdoutCount, "line"))
            }
            if stderrCount > 0 {
                notes.append("+" + counted(stderrCount, "stderr line"))
            }
        } else if stdoutCount > 0 {
            main = HostText.firstLine(outcome.output)
            if stdoutCount > 1 {
                notes.append("+" + counted(stdoutCount - 1, "line"))
            }
            if stderrCount > 0 {
                notes.append("+" + counted(stderrCount, "stderr line"))
            }
        } else if stderrCount > 0 {
            main = HostText.firstLine(outcome.errorOutput)
            if stderrCount > 1 {
                notes.append("+" + counted(stderrCount - 1, "line"))
            }
        }
        if let traceback = outcome.traceback, !traceback.isEmpty {
            notes.append("+traceback")
        }
        if outcome.truncated {
            notes.append("truncated")
        }
        // A first line can be a megabyte of minified JSON; nothing beyond the table width can be shown anyway.
        main = TerminalText.truncate(main, toWidth: max(1, width))

        return TableRow(
            hosts: Self.hostsCell(group.hosts), hostCount: group.hosts.count, state: outcome.state,
            status: status, time: group.seconds.map(Self.seconds) ?? "",
            output: NotedCell(main: main, note: notes.isEmpty ? "" : "(" + notes.joined(separator: ", ") + ")"))
    }

    /// Pads cells to their columns (measured on the plain text), then colours them, then drops trailing spaces.
    private func assemble(_ cells: [TableCell], widths: [Int]) -> String {
        var line = ""
        for (column, cell) in cells.enumerated() {
            if column > 0 {
                line += String(repeating: " ", count: TextTable.columnGap)
            }
            let padding = String(repeating: " ", count: max(0, widths[column] - TerminalText.displayWidth(cell.text)))
            let text = cell.style.map { paint(cell.text, $0) } ?? cell.text
            line += cell.rightAligned ? padding + text : text + padding
        }
        while line.last == " " {
            line.removeLast()
        }
        return line
    }

    /// `web03 · failed (exit 2) · 0.12 s`, with the full reason; the heading of `show` and `failures` blocks.
    private func heading(_ hosts: String, _ outcome: HostOutcome, seconds: Double?) -> String {
        var status = outcome.state.rawValue
        if let reason = Self.reasonText(outcome) {
            status += " (\(reason))"
        }
        var parts = [hosts, paint(status, outcome.state)]
        if let seconds {
            parts.append(Self.seconds(seconds))
        }
        return parts.joined(separator: " · ")
    }
}

// MARK: - Text helpers

extension ResultRenderer {
    /// The reason as one safe line; for a failure without one, "exit N" or "signal N" from the numbers. Hosts
    /// that are `ok` have none, whatever the field says, so "ok" is never qualified.
    static func reasonText(_ outcome: HostOutcome) -> String? {
        guard outcome.state != .ok else { return nil }
        if let reason = outcome.reason {
            let line = HostText.oneLine(reason)
            if !line.isEmpty {
                return line
            }
        }
        guard outcome.state == .failed else { return nil }
        if let signal = outcome.signal {
            return "signal \(signal)"
        }
        return outcome.exitCode.map { "exit \($0)" }
    }

    /// The reason up to its first ": " (`unreachable: connection refused` → `unreachable`), at most
    /// `maximumShortReasonWidth` columns: the category fits the STATUS column, the detail goes to OUTPUT.
    static func shortReason(_ reason: String) -> String {
        var short = reason
        if let colon = reason.firstRange(of: ": "), colon.lowerBound != reason.startIndex {
            short = String(reason[..<colon.lowerBound])
        }
        return TerminalText.truncate(short, toWidth: maximumShortReasonWidth)
    }

    /// `0.12 s`: always two decimals, so right-aligned times line up on the decimal point.
    static func seconds(_ value: Double) -> String {
        fixed(value, decimals: 2) + " s"
    }

    /// A non-negative number with a fixed number of decimals, without Foundation's locale-dependent formatting.
    static func fixed(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "?" }
        let clamped = min(max(value, 0), 1e12)
        var scale = 1
        for _ in 0..<decimals {
            scale *= 10
        }
        let scaled = Int((clamped * Double(scale)).rounded())
        let whole = String(scaled / scale)
        guard decimals > 0 else { return whole }
        let fraction = String(scaled % scale)
        return whole + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }

    /// Wraps `text` in the SGR colour for `state` when colour is on.
    private func paint(_ text: String, _ state: HostOutcome.State) -> String {
        switch state {
        case .ok: return paint(text, code: SGR.green)
        case .failed: return paint(text, code: SGR.boldRed)
        case .error: return paint(text, code: SGR.boldMagenta)
        }
    }

    /// Bold section markers, so they stand apart from host text that merely looks like them.
    private func emphasize(_ text: String) -> String {
        paint(text, code: SGR.bold)
    }

    private func paint(_ text: String, code: String) -> String {
        guard color, !text.isEmpty else { return text }
        return code + text + SGR.reset
    }
}

extension ResultRenderer {
    /// The only escape sequences chop writes itself: Select Graphic Rendition, always closed with a reset.
    ///
    /// Magenta rather than yellow for errors, because yellow is unreadable on light backgrounds.
    enum SGR {
        static let reset = "\u{1B}[0m"
        static let bold = "\u{1B}[1m"
        static let green = "\u{1B}[32m"
        static let cyan = "\u{1B}[36m"
        static let red = "\u{1B}[31m"
        static let boldRed = "\u{1B}[1;31m"
        static let boldMagenta = "\u{1B}[1;35m"
    }

    /// Splitting a host's text into safe display lines.
    ///
    /// Lines are split at "\n" first and sanitized afterwards, so a newline ends a line instead of becoming `^J`; the
    /// "\r" of a "\r\n" pair is dropped because it is line-ending noise, while any other "\r" stays visible as `^M`
    /// (it could otherwise be used to overwrite the start of the line).
    enum HostText {
        /// All lines of `text`, sanitized. A final newline does not produce an empty last line; "" has no lines.
        static func lines(_ text: String) -> [String] {
            // The same split as the diff's, so `show` and `diff` agree on what a line is.
            UnifiedDiff.split(text).map { clean($0.text.unicodeScalars[...], terminated: $0.terminated) }
        }

        /// The number of lines `lines(text)` would return, without building them (outputs can be a megabyte).
        static func lineCount(_ text: String) -> Int {
            guard let last = text.utf8.last else { return 0 }
            let newlines = text.utf8.count { $0 == UInt8(ascii: "\n") }
            return last == UInt8(ascii: "\n") ? newlines : newlines + 1
        }

        /// The first element of `lines(text)`, or "" when there is none.
        static func firstLine(_ text: String) -> String {
            let scalars = text.unicodeScalars
            guard let newline = scalars.firstIndex(of: "\n") else { return clean(scalars[...], terminated: false) }
            return clean(scalars[..<newline], terminated: true)
        }

        /// A reason or command as one safe line: trailing line breaks dropped, inner ones shown as `^J`.
        static func oneLine(_ text: String) -> String {
            var scalars = text.unicodeScalars[...]
            while let last = scalars.last, last == "\n" || last == "\r" {
                scalars.removeLast()
            }
            return TerminalText.sanitize(String(Substring(scalars)))
        }

        private static func clean(_ piece: Substring.UnicodeScalarView, terminated: Bool) -> String {
            var piece = piece
            if terminated, piece.last == "\r" {
                piece.removeLast()
            }
            return TerminalText.sanitize(String(Substring(piece)))
        }
    }
}
