import Chopsticks
import Foundation

/// `results`: the numbered results the session keeps, newest last.
public struct ResultsCommand: ArgumentlessCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "results",
        helpOrder: 270,
        synopsis: "results",
        summary: "list the kept results: %N, command, target, counts, time",
        help: """
            TARGET is the hosts the operation ran on, as resolved when it ran (@web* → web[1-40]).
            Every operation's result is numbered; show %N HOST, last %N, diff %A %B and @%N.failed use them.
            set history-results N bounds how many are kept (default 100). With them: show %3 web1,
            diff %3 %5, @%3.failed run systemctl restart app.

            Examples:
              results
            """)

    public init() {}

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let entries = session.history.entries
        if session.settings.output == .json {
            session.emit([
                "results": .array(
                    entries.map { entry in
                        [
                            "number": .int(Int64(entry.number)), "command": .string(entry.report.operation),
                            "target": .string(Self.target(entry)),
                            "hosts": .int(Int64(entry.report.outcomes.count)),
                            "ok": .int(Int64(entry.sets["ok"]?.count ?? 0)),
                            "failed": .int(Int64(entry.report.failedHosts.count)),
                            "elapsed": .double(entry.report.elapsed),
                            "time": .string(ISO8601DateFormatter().string(from: entry.date)),
                        ]
                    })
            ])
            return .ok
        }
        guard !entries.isEmpty else {
            session.io.print("no results yet: run an operation first, e.g. run uptime")
            return .ok
        }
        var table = TextTable(headers: ["RESULT", "COMMAND", "TARGET", "HOSTS", "OK", "FAILED", "TIME", "AT"])
        let clock = DateFormatter()
        clock.dateFormat = "HH:mm:ss"
        for entry in entries {
            table.addRow([
                "%\(entry.number)", TerminalText.sanitize(entry.report.operation),
                TerminalText.sanitize(Self.target(entry)), "\(entry.report.outcomes.count)",
                "\(entry.sets["ok"]?.count ?? 0)", "\(entry.report.failedHosts.count)",
                ResultRenderer.seconds(entry.report.elapsed), clock.string(from: entry.date),
            ])
        }
        await session.page(table.render(maxWidth: max(40, session.io.width())))
        return .ok
    }

    /// The members the result ran on, folded: the target as it was resolved, whatever was typed.
    static func target(_ entry: ResultHistory.Entry) -> String {
        NodeSet.fold(entry.report.outcomes.map(\.host))
    }
}
