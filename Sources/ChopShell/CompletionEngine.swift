import Foundation

/// Tab-completion candidates for a partly typed line. Pure and synchronous: libedit calls it on the
/// prompt thread, so everything it needs (member names, known hosts, containers) is passed in memory.
public struct CompletionEngine: Sendable {
    /// Members of the group, in order.
    public var members: [String]
    /// Names for `add`: ssh config aliases, known_hosts, /etc/hosts.
    public var knownHosts: [String]
    /// Running container names for `add container`.
    public var containers: [String]
    /// Fact names for `facts`.
    public static let factNames = [
        "hostname", "fqdn", "ip", "os", "kernel", "arch", "python_version", "uptime", "loadavg", "cpus", "memory",
        "disk",
    ]

    public init(members: [String] = [], knownHosts: [String] = [], containers: [String] = []) {
        self.members = members
        self.knownHosts = knownHosts
        self.containers = containers
    }

    /// The word being completed and the full words that could replace it, sorted, de-duplicated.
    public func complete(_ line: String) -> (word: String, candidates: [String]) {
        var words = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        let word = line.hasSuffix(" ") || line.isEmpty ? "" : (words.popLast() ?? "")
        if line.hasPrefix("!") {
            return (word, words.isEmpty && word.hasPrefix("!") ? [] : paths(word))
        }
        if let first = words.first, first.hasPrefix("@") { words.removeFirst() }
        let pool: [String]
        if words.isEmpty {
            pool = word.hasPrefix("@") ? targets().map { "@" + $0 } : CommandParser.commandNames
        } else {
            pool = candidates(after: words, word: word)
        }
        let matches = Set(pool.filter { $0.hasPrefix(word) })
        return (word, matches.sorted())
    }

    private func targets() -> [String] { members + ["all", "ok", "failed"] }

    private func candidates(after words: [String], word: String) -> [String] {
        let command = words[0]
        let position = words.count  // 1 = first argument
        switch command {
        case "set":
            if position == 1 { return CommandParser.settingKeys }
            if position == 2 { return CommandParser.settingValues(for: words[1]) }
            return []
        case "help":
            return position == 1 ? CommandParser.commandNames : []
        case "remove", "connect", "disconnect", "reconnect", "use", "log":
            let names = word.hasPrefix("@") ? targets().map { "@" + $0 } : members
            return command == "use" ? names + ["all"] : names
        case "show":
            return position == 1 ? members : []
        case "diff":
            return position <= 2 ? members : []
        case "facts":
            return Self.factNames
        case "add":
            if position >= 2 && words[1] == "container" { return containers }
            if position >= 2 && ["local", "sudo", "docker"].contains(words[1]) { return [] }
            return ["local", "sudo", "docker", "container"] + knownHosts
        case "put":
            return position == 1 ? paths(word) : []
        case "source", "record":
            return position == 1 ? paths(word) + (command == "record" ? ["off"] : []) : []
        case "fetch":
            return []
        default:
            return []
        }
    }

    /// Local paths starting with `prefix`; directories end with "/".
    func paths(_ prefix: String) -> [String] {
        let expanded = (prefix as NSString).expandingTildeInPath
        let folder: String
        let stem: String
        if expanded.hasSuffix("/") {
            folder = expanded
            stem = ""
        } else {
            folder = (expanded as NSString).deletingLastPathComponent
            stem = (expanded as NSString).lastPathComponent
        }
        let directory = folder.isEmpty ? "." : folder
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        let typedFolder = prefix.hasSuffix("/") ? prefix : String(prefix.dropLast(stem.count))
        return entries.filter { $0.hasPrefix(stem) && (stem.hasPrefix(".") || !$0.hasPrefix(".")) }.sorted().map {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(
                atPath: (directory as NSString).appendingPathComponent($0), isDirectory: &isDirectory)
            return typedFolder + $0 + (isDirectory.boolValue ? "/" : "")
        }
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
