/// The arguments of one command line, as the parser hands them to `ChopCommand.parse`, with the helpers every
/// command's grammar shares. Errors end with the command's usage line.
public struct CommandArguments: Sendable {
    /// The rest of the line after the command word, trimmed (a backslash-escaped trailing space is kept).
    public var raw: String
    /// The rest of the line split into words as a POSIX shell would; empty for raw commands.
    public var words: [String]
    /// The line's `@TARGET`, for commands that refuse a second way of naming hosts.
    public var target: String?
    /// The command as named in messages (`add local`).
    public var command: String
    /// The command's usage line, which usage errors end with.
    public var usage: String
    /// The options the command declares (`CommandDeclaration.options`), which `options(hint:)` reads.
    public var specs: [OptionSpec]
    /// The `.leading` options the parser already took from the start of the line (`run --sudo CMD`).
    public var leading: OptionValues

    public init(
        raw: String = "", words: [String] = [], target: String? = nil, command: String, usage: String,
        specs: [OptionSpec] = [], leading: OptionValues = OptionValues()
    ) {
        self.raw = raw
        self.words = words
        self.target = target
        self.command = command
        self.usage = usage
        self.specs = specs
        self.leading = leading
    }

    /// A usage error: the problem, then the usage line.
    public func error(_ problem: String) -> ParseError {
        ParseError("\(problem) — usage: \(usage)")
    }

    static let nameHint = "; names cannot start with '-'"
    static let fileHint = "; write ./-name for a file whose name starts with '-'"

    /// The declared options (read by `OptionParser`, the leading ones included) and the other words; any
    /// other word starting with `-` is refused, with `hint` saying how to write such a name.
    public func options(hint: String) throws(ParseError) -> (positional: [String], options: OptionValues) {
        let (positional, options) = try OptionParser.read(words, specs: specs, arguments: self, hint: hint)
        return (positional, leading.merging(options))
    }

    /// The words, none of which may look like an option.
    public func positional(hint: String) throws(ParseError) -> [String] {
        try OptionParser.read(words, specs: [], arguments: self, hint: hint).positional
    }

    /// Refuses any argument.
    public func expectNone() throws(ParseError) {
        guard words.isEmpty else { throw error("\(command) takes no arguments") }
    }

    /// Target words (`use`, `remove`, `log`, the connection commands): one leading `@` is optional.
    public func targetWords() throws(ParseError) -> [String] {
        var targets: [String] = []
        for word in words {
            let target = word.hasPrefix("@") ? String(word.dropFirst()) : word
            guard !target.isEmpty else {
                throw error("'\(word)' is not a target; name hosts such as web1, web[1-3], web* or failed")
            }
            targets.append(target)
        }
        return targets
    }

    /// The names of an `add` form with its options: at least `least` (else `missing` is the error), at most
    /// `most`, each checked by `checkName`.
    public func names(
        least: Int = 0, most: Int = .max, missing: String = ""
    ) throws(ParseError) -> (names: [String], options: OptionValues) {
        let (names, options) = try self.options(hint: Self.nameHint)
        guard names.count >= least else { throw error(missing) }
        guard names.count <= most else { throw error("too many arguments for \(command)") }
        for name in names { try checkName(name) }
        return (names, options)
    }

    /// Checks a host, container, user or local name: something that must be one plain word. `what` names
    /// such words in the error (`host names` for `add`).
    public func checkName(_ name: String, what: String = "names") throws(ParseError) {
        if name.isEmpty {
            throw error("\(what) cannot be empty")
        }
        if TextChecks.hasSpaceOrControl(name) {
            throw error("'\(name)': \(what) cannot contain spaces or control characters")
        }
        if name.hasPrefix("@") {
            throw error("'\(name)': \(what) cannot start with '@', which marks a target")
        }
        if name.contains("*") || name.contains("?") {
            throw error("'\(name)': \(what) cannot contain '*' or '?'; globs select hosts already added")
        }
    }
}
