import Foundation

/// What a command's `complete` sees: the words typed so far, the word being typed, and what the session knows
/// (members, known hosts, fact names, running containers).
public struct CompletionContext: Sendable {
    /// The complete words after the command name (and after a subcommand word).
    public var arguments: [String]
    /// The word being typed.
    public var word: String
    /// Members of the group, in order.
    public var members: [String]
    /// Names for `add`: ssh config aliases, known_hosts, /etc/hosts.
    public var knownHosts: [String]
    /// Fact names the connected agents reported.
    public var factNames: [String]
    /// Running container names, asked only when a command completes them.
    var containerNames: ContainerNames?
    /// Numbers of the kept results.
    public var results: [Int] = []
    /// Inventory group names (without `@`), `all` first.
    public var groups: [String] = []
    /// The line's `@TARGET`, without the `@`.
    public var target: String?
    /// Asks a live member for remote paths (see `CompletionEngine.remotePaths`).
    var remoteLister: CompletionEngine.RemotePaths?

    /// Which argument is being typed: 1 for the first.
    public var position: Int { arguments.count + 1 }

    /// Running containers (for `add container`); starts a refresh in the background when the list is stale.
    public func containers() -> [String] { containerNames?.current() ?? [] }

    /// Member names and result sets, with `@` when the word being typed starts with one.
    public func targetWords() -> [String] {
        let sets = results.flatMap { number in ResultSet.everyResult.map { "%\(number).\($0.rawValue)" } }
        let names = members + ResultSet.reservedNames + MemberState.targets + sets + groups
        return word.hasPrefix("@") ? names.map { "@" + $0 } : members
    }

    /// `%1`, `%2`, … for the kept results.
    public var resultReferences: [String] { results.map { "%\($0)" } }

    /// Paths on one live member of the line's target that start with the word being typed; empty when no
    /// member answers in time. The host is untrusted: a path with a control character (a newline, an escape,
    /// a bidi override) is dropped, and the others are escaped, so each is printed as it is and inserts one word.
    public func remotePaths() -> [String] {
        (remoteLister?(target, word) ?? []).compactMap { path in
            TerminalText.sanitize(path) == path ? CommandLineSplitter.escape(path) : nil
        }
    }

    /// Local paths starting with `prefix`; directories end with "/".
    public func paths(_ prefix: String) -> [String] {
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
}
