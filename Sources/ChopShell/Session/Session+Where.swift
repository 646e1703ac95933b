import Chopsticks

extension Session {
    /// `where`: evaluates `expression` on the target, shows the values as a numbered result with `@match` and
    /// `@nomatch`, and returns them. An expression that no host could read as one (every host answered with
    /// a SyntaxError) is one error line instead, and makes no result.
    func evaluateWhere(_ expression: String, exclude: Bool, target: String?) async throws -> (
        result: CommandResult, match: MatchSets?
    ) {
        var (report, results) = try await collect(
            "where", target: target, { try await $0.eval(expression) }, describe: HostOutcome.eval)
        let errors = results.compactMap(\.error)
        if let first = errors.first, errors.count == results.count, errors.allSatisfy({ $0.type == "SyntaxError" }) {
            let prefix = "SyntaxError: "
            throw ShellError(
                "where: " + (first.msg.hasPrefix(prefix) ? String(first.msg.dropFirst(prefix.count)) : first.msg))
        }
        let matching = Group.matching(results, exclude: exclude)
        let answered = results.filter { $0.value != nil }.map(\.host)
        let match = MatchSets(matching: matching, notMatching: answered.filter { !matching.contains($0) })
        report.match = match
        await present(report)
        return (report.outcomes.contains(where: \.isFailure) ? .hostsFailed : .ok, match)
    }
}
