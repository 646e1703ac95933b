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

    public init(
        members: [String] = [], knownHosts: [String] = [], factNames: [String] = [], containers: ContainerNames? = nil
    ) {
        self.members = members
        self.knownHosts = knownHosts
        self.factNames = factNames
        self.containers = containers
    }

    /// The word being completed and the full words that could replace it, sorted, de-duplicated.
    public func complete(_ line: String) -> (word: String, candidates: [String]) {
        var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let word = line.hasSuffix(" ") || line.isEmpty ? "" : (words.popLast() ?? "")
        let pool: [String]
        if line.hasPrefix("!") {
            pool = words.isEmpty && word.hasPrefix("!") ? [] : context(arguments: words, word: word).paths(word)
        } else {
            if let first = words.first, first.hasPrefix("@") { words.removeFirst() }
            if words.isEmpty {
                pool =
                    word.hasPrefix("@")
                    ? context(arguments: [], word: word).targetWords() : CommandRegistry.commandNames
            } else {
                pool = candidates(command: words[0], arguments: Array(words.dropFirst()), word: word)
            }
        }
        let matches = Set(pool.filter { $0.hasPrefix(word) })
        return (word, matches.sorted())
    }

    private func candidates(command: String, arguments: [String], word: String) -> [String] {
        guard let type = CommandRegistry.command(named: command) else { return [] }
        if let first = arguments.first,
            let sub = type.declaration.subcommands.first(where: { $0.declaration.subcommandWord == first })
        {
            return sub.complete(context(arguments: Array(arguments.dropFirst()), word: word))
        }
        return type.complete(context(arguments: arguments, word: word))
    }

    private func context(arguments: [String], word: String) -> CompletionContext {
        CompletionContext(
            arguments: arguments, word: word, members: members, knownHosts: knownHosts, factNames: factNames,
            containerNames: containers)
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
