extension ResultRenderer {
    /// Hosts with identical results, shown as one row or block.
    struct OutcomeGroup {
        var hosts: [String]
        /// The first member's outcome; the others differ at most in host, time and (for the table) traceback.
        var outcome: HostOutcome
        /// The slowest member's time, because the group was only done when its slowest member was.
        var seconds: Double?
        /// For answers gathered as alike (`similar`): their common text and varying tokens, when any vary.
        var block: SimilarOutputs.Block?
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

    /// Groups outcomes in order of first appearance, or one group per host when `gather` is off. With `similar`,
    /// hosts that succeeded share a group when their answers differ only in volatile tokens (as blocks do).
    func groups(of outcomes: [HostOutcome], includingTraceback: Bool, similar: Bool = false) -> [OutcomeGroup] {
        guard gather else {
            return outcomes.map { OutcomeGroup(hosts: [$0.host], outcome: $0, seconds: $0.seconds) }
        }
        var positions: [GroupKey: Int] = [:]
        var result: [OutcomeGroup] = []
        var members: [[HostOutcome]] = []
        for outcome in outcomes {
            let alike = similar && outcome.succeeded
            let key = GroupKey(
                state: outcome.state, reason: outcome.reason, exitCode: outcome.exitCode, signal: outcome.signal,
                output: alike ? VolatileText.split(Self.blockText(outcome), host: outcome.host).mask : outcome.output,
                errorOutput: alike ? "" : outcome.errorOutput, truncated: outcome.truncated,
                traceback: includingTraceback ? outcome.traceback : nil)
            if let position = positions[key] {
                members[position].append(outcome)
                result[position].hosts.append(outcome.host)
                if let seconds = outcome.seconds {
                    result[position].seconds = max(result[position].seconds ?? seconds, seconds)
                }
            } else {
                positions[key] = result.count
                members.append([outcome])
                result.append(OutcomeGroup(hosts: [outcome.host], outcome: outcome, seconds: outcome.seconds))
            }
        }
        guard similar else { return result }
        for index in result.indices where members[index].count > 1 && members[index][0].succeeded {
            let block = SimilarOutputs.blocks(members[index], mode: .similar, text: Self.blockText).first
            if let block, block.varyingCount > 0 { result[index].block = block }
        }
        return result
    }

    /// The first line of a group's answer with its varying tokens summarised (`worker pid ⟨100 values⟩ ready`),
    /// and those tokens.
    static func firstLine(of block: SimilarOutputs.Block) -> (text: String, variables: [SimilarOutputs.Variable]) {
        var variables: [SimilarOutputs.Variable] = []
        let lines = block.lines(
            plain: { TerminalText.sanitize($0) },
            render: { variable in
                variables.append(variable)
                return TerminalText.sanitize(variable.summary())
            })
        let first = lines.first ?? ""
        // The tokens of the first line: those rendered before its end.
        let markersInFirstLine = block.mask.prefix { $0 != "\n" }.filter { $0 == VolatileText.marker }.count
        let varyingInFirstLine = block.varies.prefix(markersInFirstLine).filter { $0 }.count
        return (first, Array(variables.prefix(varyingInFirstLine)))
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
    struct TableCell {
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

    func tableRow(_ group: OutcomeGroup) -> TableRow {
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
        func note(_ count: Int, _ noun: String) {
            if count > 0 { notes.append("+" + counted(count, noun)) }
        }
        if outcome.state == .error || outcome.state == .skipped, reasonShortened, let reason {
            main = reason
            note(stdoutCount, "line")
            note(stderrCount, "stderr line")
        } else if let block = group.block, stdoutCount > 0 {
            main = Self.firstLine(of: block).text
            note(stdoutCount - 1, "line")
            note(stderrCount, "stderr line")
        } else if stdoutCount > 0 {
            main = HostText.firstLine(outcome.output)
            note(stdoutCount - 1, "line")
            note(stderrCount, "stderr line")
        } else if stderrCount > 0 {
            main = HostText.firstLine(outcome.errorOutput)
            note(stderrCount - 1, "line")
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
    func assemble(_ cells: [TableCell], widths: [Int]) -> String {
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
    func heading(_ hosts: String, _ outcome: HostOutcome, seconds: Double?) -> String {
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
