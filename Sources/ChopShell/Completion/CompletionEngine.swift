/// Tab-completion candidates for a partly typed line. Synchronous and quick: libedit calls it on the prompt
/// thread, so everything it needs is passed in memory. Which candidates fit an argument is each command's own
/// `complete`, found through `CommandRegistry`.
public struct CompletionEngine: Sendable {
    /// Members of the group, in order.
    public var members: [String]
    /// Names for `add`: ssh config aliases, known_hosts, /etc/hosts.
    public var knownHosts: [String]
    /// Fact names the connected agents reported.
    public var factNames: [String]
    /// Running containers, asked only when `add container` is completed.
    public var containers: ContainerNames?
    /// Numbers of the kept results (`%3`), for result references and their sets (`@%3.failed`).
    public var results: [Int]
    /// Lists remote paths starting with a prefix on one live member of a target (nil: the current one); it
    /// waits a short while at most. Nil where no host can be asked.
    public var remotePaths: RemotePaths?
    /// Inventory group names, for `@` targets and `add @`.
    public var groups: [String] = []

    /// `(target, prefix) -> paths`, directories ending in "/".
    public typealias RemotePaths = @Sendable (_ target: String?, _ prefix: String) -> [String]

    public init(
        members: [String] = [], knownHosts: [String] = [], factNames: [String] = [], containers: ContainerNames? = nil,
        results: [Int] = [], remotePaths: RemotePaths? = nil, groups: [String] = []
    ) {
        self.groups = groups
        self.members = members
        self.knownHosts = knownHosts
        self.factNames = factNames
        self.containers = containers
        self.results = results
        self.remotePaths = remotePaths
    }

    /// The word being completed and the full words that could replace it, sorted, de-duplicated.
    public func complete(_ line: String) -> (word: String, candidates: [String]) {
        var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let word = line.hasSuffix(" ") || line.isEmpty ? "" : (words.popLast() ?? "")
        let pool: [String]
        var target: String?
        if line.hasPrefix("!") {
            pool =
                words.isEmpty && word.hasPrefix("!")
                ? [] : context(arguments: words, word: word, target: nil).paths(word)
        } else {
            if let first = words.first, first.hasPrefix("@") { target = String(words.removeFirst().dropFirst()) }
            if words.isEmpty {
                pool =
                    word.hasPrefix("@")
                    ? context(arguments: [], word: word, target: nil).targetWords() : CommandRegistry.commandNames
            } else {
                pool = candidates(command: words[0], arguments: Array(words.dropFirst()), word: word, target: target)
            }
        }
        let matches = Set(pool.filter { $0.hasPrefix(word) })
        return (word, matches.sorted())
    }

    private func candidates(command: String, arguments: [String], word: String, target: String?) -> [String] {
        guard var type = CommandRegistry.command(named: command) else { return [] }
        var arguments = arguments
        if let first = arguments.first,
            let sub = type.declaration.subcommands.first(where: { $0.declaration.subcommandWord == first })
        {
            type = sub
            arguments.removeFirst()
        }
        // The declared options are completed here for every command, and skipped when counting positions.
        let specs = type.declaration.options
        if let last = arguments.last, let spec = specs.first(where: { $0.isNamed(last) }),
            case .value = spec.arity
        {
            return spec.values
        }
        if word.hasPrefix("-"), !specs.isEmpty {
            return specs.flatMap { [$0.name] + ($0.short.map { [$0] } ?? []) }
        }
        return type.complete(context(arguments: Self.withoutOptions(arguments, specs), word: word, target: target))
    }

    /// `words` without the declared options and the values they take, so that a command's `complete` sees
    /// argument positions as its synopsis counts them (`put --mode 0640 a.conf ⇥` completes REMOTE).
    static func withoutOptions(_ words: [String], _ specs: [OptionSpec]) -> [String] {
        var kept: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            let name = word.split(separator: "=", maxSplits: 1).first.map(String.init) ?? word
            guard word.hasPrefix("-"), let spec = specs.first(where: { $0.isNamed(name) }) else {
                kept.append(word)
                continue
            }
            if case .value = spec.arity, !word.contains("=") { index += 1 }
        }
        return kept
    }

    private func context(arguments: [String], word: String, target: String?) -> CompletionContext {
        CompletionContext(
            arguments: arguments, word: word, members: members, knownHosts: knownHosts, factNames: factNames,
            containerNames: containers, results: results, groups: groups, target: target, remoteLister: remotePaths)
    }

    /// The candidates as Tab lists them, in columns for a terminal `width` wide, at most 200; each is
    /// neutralised like host text (a local file name can carry an escape sequence as well as a host's).
    public static func listing(_ candidates: [String], width: Int) -> String {
        let shown = candidates.prefix(200).map(TerminalText.sanitize)
        let column = (shown.map { TerminalText.displayWidth($0) }.max() ?? 0) + 2
        let perLine = max(1, width / column)
        var text = "\n"
        for (index, candidate) in shown.enumerated() {
            text += candidate + String(repeating: " ", count: max(0, column - TerminalText.displayWidth(candidate)))
            if (index + 1) % perLine == 0 { text += "\n" }
        }
        if candidates.count > 200 { text += "\n… \(candidates.count - 200) more" }
        if !text.hasSuffix("\n") { text += "\n" }
        return text
    }

    /// The longest common prefix of the candidates (what Tab inserts when there are several).
    public static func commonPrefix(_ candidates: [String]) -> String {
        guard var prefix = candidates.first else { return "" }
        for candidate in candidates.dropFirst() {
            while !candidate.hasPrefix(prefix) { prefix.removeLast() }
        }
        return prefix
    }
}
