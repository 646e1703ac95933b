import Chopsticks

/// `watch [SECONDS] [--count N] OPERATION…`: repeats an operation, each round a numbered result, and says which
/// hosts' answers changed since the round before.
public struct WatchCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "watch",
        helpOrder: 280,
        synopsis: "watch [SECONDS] OPERATION…",
        summary: "repeat an operation (every 2 s), naming hosts that changed",
        rawArguments: true,
        options: [
            .value(
                "--count", "N", placement: .leading, example: "3", "stop after N rounds (needed in scripts)")
        ],
        help: """
            Runs until Ctrl-C on a terminal, redrawing each round in place; in scripts --count N is needed
            and N rounds are appended. Every round is a result of its own (%N), so diff %A %B compares two.

            Examples:
              watch run uptime
              watch 5 @web* run systemctl is-active app
              watch 1 --count 3 ping
            """)

    public var seconds: Double
    public var count: Int?
    /// The operation as typed; checked when `watch` is parsed, and parsed once more when it runs.
    public var line: String

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> WatchCommand {
        // SECONDS may come before or after the options: one more pass of the option parser after it.
        var words = Substring(arguments.raw)
        var seconds = 2.0
        var options = arguments.leading
        let (word, rest) = LineText.firstWord(of: words)
        if let number = Double(word), TextChecks.isDecimal(word), number > 0 {
            seconds = number
            let more: OptionValues
            (more, words) = try OptionParser.leading(rest, specs: declaration.options, arguments: arguments)
            guard !(options.has("--count") && more.has("--count")) else {
                throw arguments.error("--count is given twice")
            }
            options = options.merging(more)
        }
        var count: Int?
        if let value = options.value("--count") {
            guard let number = Int(value), number > 0 else {
                throw arguments.error("--count needs a number of rounds, e.g. --count 3")
            }
            count = number
        }
        let line = String(words)
        guard let parsed = try CommandParser.parse(line),
            type(of: parsed.command).declaration.takesTarget, !(parsed.command is WatchCommand)
        else {
            throw arguments.error("watch needs an operation to repeat, e.g. watch run uptime")
        }
        return WatchCommand(seconds: seconds, count: count, line: line)
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let onTerminal = session.io.progress != nil
        guard count != nil || onTerminal else {
            throw ShellError("watch in a script needs --count N, or it would never end")
        }
        guard let parsed = try? CommandParser.parse(line) else { throw ShellError("watch: cannot read '\(line)'") }
        var previous: OperationReport?
        var worst = CommandResult.ok
        var round = 0
        while count.map({ round < $0 }) ?? true {
            round += 1
            if onTerminal { session.io.print("\u{1B}[H\u{1B}[2J") }  // chop's own: redraw in place
            session.io.error("watch round \(round) every \(Setting.trim(seconds)) s: \(line)  (Ctrl-C stops)")
            let result = try await parsed.command.run(in: session, target: parsed.target ?? target)
            if result == .hostsFailed { worst = .hostsFailed }
            if let report = session.lastReport {
                if let previous {
                    session.io.print(Self.changes(report, since: previous, renderer: session.renderer()))
                }
                previous = report
            }
            if Task.isCancelled { break }
            if count.map({ round >= $0 }) ?? false { break }
            do {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            } catch {
                break  // Ctrl-C
            }
        }
        return worst
    }

    /// `changed since the last round: web[2,5]`, highlighted; or `no host changed`.
    static func changes(_ report: OperationReport, since previous: OperationReport, renderer: ResultRenderer)
        -> String
    {
        let before = Dictionary(previous.outcomes.map { ($0.host, $0) }, uniquingKeysWith: { first, _ in first })
        let changed = report.outcomes.filter { outcome in
            before[outcome.host].map { ResultRenderer.driftText($0) != ResultRenderer.driftText(outcome) } ?? true
        }.map(\.host)
        guard !changed.isEmpty else { return "no host changed since the last round" }
        let hosts = TerminalText.sanitize(NodeSet.fold(changed))
        return renderer.paint(
            "changed since the last round: \(hosts) (\(changed.count))", code: ResultRenderer.SGR.boldRed)
    }
}
