import Chopsticks

extension ResultRenderer {
    /// The block view (clush's `-b`, and more): for the hosts that succeeded, one block per group of alike
    /// answers, largest first, each a header line `── web[01-40] (40) ok · 2 vary ──` and the full output, its
    /// varying tokens summarised in place (`⟨3.11.2 ×38 | 3.9.2 ×2⟩`, coloured on a terminal). A block longer
    /// than `maxLines` (0: no limit) is cut with a line that says how to see the rest. In colour, each numeric
    /// token that spreads gets a histogram line under its block, as a table row does (`histogramLine`). The
    /// failed and errored hosts follow as the table.
    public func blocks(_ report: OperationReport, mode: SimilarOutputs.Mode, maxLines: Int) -> [String] {
        blocks(report, gathered: Self.gather(report, mode: mode), maxLines: maxLines)
    }

    /// The block view of blocks already gathered (`gather`), so a caller that also needs the outliers gathers once.
    public func blocks(_ report: OperationReport, gathered: [SimilarOutputs.Block], maxLines: Int) -> [String] {
        var lines: [String] = []
        for block in gathered {
            var header = "── \(TerminalText.sanitize(NodeSet.fold(block.hosts))) (\(block.hosts.count)) "
            let state = report.outcomes.first { $0.host == block.hosts.first }?.state == .changed ? "changed" : "ok"
            header += paint(state, state == "changed" ? .changed : .ok)
            if block.varyingCount > 0 { header += " · " + counted(block.varyingCount, "token") + " vary" }
            lines.append(header + " ──")
            var variables: [SimilarOutputs.Variable] = []
            var body = block.lines(
                plain: { TerminalText.sanitize($0) },
                render: { variable in
                    variables.append(variable)
                    return paint(TerminalText.sanitize(variable.summary()), code: SGR.cyan)
                })
            if body.isEmpty { body = ["(no output)"] }
            if maxLines > 0, body.count > maxLines {
                let hidden = body.count - maxLines
                body = Array(body.prefix(maxLines))
                body.append(
                    emphasize(
                        "… \(counted(hidden, "more line")): show \(TerminalText.sanitize(block.hosts[0])), "
                            + "or set max-lines 0"))
            }
            lines += body
            if color { lines += variables.compactMap(histogramLine) }
        }
        let failing = report.outcomes.filter(\.isFailure)
        if !failing.isEmpty {
            var rest = report
            rest.outcomes = failing
            lines += table(rest)
        }
        return lines
    }

    /// What a block compares and shows of one host: stdout, then stderr under a marker.
    static func blockText(_ outcome: HostOutcome) -> String {
        guard !outcome.errorOutput.isEmpty else { return outcome.output }
        var text = outcome.output
        if !text.isEmpty, !text.hasSuffix("\n") { text += "\n" }
        return text + "--- stderr ---\n" + outcome.errorOutput
    }

    /// Whether every answer fits on one line, so `output auto` shows the table.
    public static func fitsOnOneLine(_ report: OperationReport) -> Bool {
        report.outcomes.allSatisfy { HostText.lineCount($0.output) <= 1 && $0.errorOutput.isEmpty }
    }

    /// The blocks of the hosts that succeeded, largest first.
    public static func gather(_ report: OperationReport, mode: SimilarOutputs.Mode) -> [SimilarOutputs.Block] {
        SimilarOutputs.blocks(report.outcomes.filter { !$0.isFailure }, mode: mode, text: blockText)
    }

    /// The hosts outside the largest block: what `@outliers` names.
    public static func outliers(_ report: OperationReport, mode: SimilarOutputs.Mode) -> [String] {
        outliers(report, gathered: gather(report, mode: mode))
    }

    /// The same, from blocks already gathered.
    public static func outliers(_ report: OperationReport, gathered: [SimilarOutputs.Block]) -> [String] {
        guard let largest = gathered.first else { return report.outcomes.map(\.host) }
        let inside = Set(largest.hosts)
        return report.outcomes.map(\.host).filter { !inside.contains($0) }
    }
}

extension ResultRenderer {
    /// What a drift check compares of one host: its state and reason, then its text.
    static func driftText(_ outcome: HostOutcome) -> String {
        let state = outcome.state == .ok ? "" : "[\(outcome.state.rawValue)\(outcome.reason.map { ": \($0)" } ?? "")]\n"
        return state + blockText(outcome)
    }
}
