extension ResultRenderer {
    /// The reason as one safe line; for a failure without one, "exit N" or "signal N" from the numbers. Hosts
    /// that are `ok` have none, whatever the field says, so "ok" is never qualified.
    static func reasonText(_ outcome: HostOutcome) -> String? {
        guard !outcome.succeeded else { return nil }
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
    func paint(_ text: String, _ state: HostOutcome.State) -> String {
        switch state {
        case .ok: return paint(text, code: SGR.green)
        case .changed: return paint(text, code: SGR.yellow)
        case .failed: return paint(text, code: SGR.boldRed)
        case .error: return paint(text, code: SGR.boldMagenta)
        case .skipped: return paint(text, code: SGR.bold)
        }
    }

    /// Bold section markers, so they stand apart from host text that merely looks like them.
    func emphasize(_ text: String) -> String {
        paint(text, code: SGR.bold)
    }

    func paint(_ text: String, code: String) -> String {
        guard color, !text.isEmpty else { return text }
        return code + text + SGR.reset
    }
}
