import Chopsticks

/// `where [--exclude] EXPRESSION`: which hosts a Python expression is true on; makes `@match` and `@nomatch`.
public struct WhereCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "where",
        helpOrder: 140,
        synopsis: "where EXPRESSION",
        summary: "where a Python expression is true: @match, @nomatch",
        takesTarget: true,
        rawArguments: true,
        options: OptionSpec.rollout + [exclude],
        help: """
            EXPRESSION is passed exactly as typed and evaluated on each host in py's namespace; a module
            it names (os, platform, mymod) is imported for it. Python's own truth decides: 0, '', [],
            set() and None are false, and so is an object whose __bool__ says so. The result shows each
            host's value; @match names the hosts where it is true, @nomatch the others that answered.
            A host that raises is an error, in neither set. --exclude swaps the two sets.
            @match and @nomatch stay until the next where; @%N.match is result N's. use where EXPRESSION
            narrows the current target to the matching hosts in one step.

            Examples:
              where os.path.exists('/etc/nginx')
              @match where os.path.isfile('/etc/nginx/nginx.conf')
              where --exclude platform.python_version() >= '3.8'
              @web* where os.getloadavg()[0] > 2
            """)

    public var expression: String
    public var exclude: Bool

    public init(expression: String, exclude: Bool = false) {
        self.expression = expression
        self.exclude = exclude
    }

    /// `--exclude`, shared with `use where`.
    static let exclude = OptionSpec.flag("--exclude", placement: .leading, "swap @match and @nomatch")

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> WhereCommand {
        guard !arguments.raw.isEmpty else {
            let command = arguments.command
            throw ParseError("\(command) needs a Python expression, e.g. \(command) os.path.exists('/etc/nginx')")
        }
        return WhereCommand(expression: arguments.raw, exclude: arguments.leading.has("--exclude"))
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        try await Self.evaluate(expression, exclude: exclude, target: target, in: session).result
    }

    /// `where`: evaluates `expression` on the target, shows the values as a numbered result with `@match` and
    /// `@nomatch`, and returns them. An expression that no host could read as one (every host answered with
    /// a SyntaxError) is one error line instead, and makes no result.
    /// `use where` calls it too, then narrows the target to `@match`.
    static func evaluate(
        _ expression: String, exclude: Bool, target: String?, in session: isolated Session
    ) async throws -> (result: CommandResult, match: MatchSets?) {
        var (report, results) = try await session.collect(
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
        await session.present(report)
        return (report.outcomes.contains(where: \.isFailure) ? .hostsFailed : .ok, match)
    }
}

/// `use where [--exclude] EXPRESSION`: `where`, then `use` of the hosts it matched.
public struct UseWhereCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "use where",
        synopsis: "use where EXPRESSION",
        summary: "narrow the target to where a Python expression is true",
        rawArguments: true,
        options: [WhereCommand.exclude],
        help: """
            Evaluates EXPRESSION on the current target as where does (and shows the result), then makes
            the hosts where it is true the target. When it is true nowhere the target stays as it was.

            Examples:
              use where os.path.exists('/etc/nginx')
              use where --exclude os.path.exists('/run/reboot-required')
            """)

    public var condition: WhereCommand

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> UseWhereCommand {
        UseWhereCommand(condition: try WhereCommand.parse(arguments))
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let (result, match) = try await WhereCommand.evaluate(
            condition.expression, exclude: condition.exclude, target: nil, in: session)
        guard let match else { return result }
        guard !match.matching.isEmpty else {
            let current = session.useTarget.map { "@\($0)" } ?? "every host"
            throw ShellError("the expression is true on no host; the target stays \(current)")
        }
        session.useTarget = NodeSet.fold(match.matching)
        return result
    }
}
