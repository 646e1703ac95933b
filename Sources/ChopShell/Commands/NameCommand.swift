/// `name NAME TARGET`: keeps the hosts a target selects now under a name, usable as `@NAME`.
public struct NameCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "name",
        helpOrder: 240,
        synopsis: "name NAME TARGET",
        summary: "keep the hosts of a target under a name (@NAME)",
        recorded: false,
        help: """
            The hosts are fixed when named: 'name broken @failed' keeps today's failures as @broken, whatever
            later results say. Naming again replaces the set. 'names' lists them; record writes them (with
            their hosts) so a replay sees the same sets.
            NAME is letters, digits, '-' and '_', and not a member's name or a built-in set (all, ok, …).

            Examples:
              name broken @failed
              name canaries web[1-3]
            """)

    public var name: String
    public var target: String

    public init(name: String, target: String) {
        self.name = name
        self.target = target
    }

    /// Names the shell gives a meaning of its own.
    static let reserved = Set(ResultSet.reservedNames)

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> NameCommand {
        let words = try arguments.positional(hint: CommandArguments.nameHint)
        guard words.count == 2 else { throw arguments.error("name takes a name and a target") }
        let name = words[0].hasPrefix("@") ? String(words[0].dropFirst()) : words[0]
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic,
            name.unicodeScalars.allSatisfy({
                $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            })
        else {
            throw arguments.error("'\(words[0])' cannot name a set: use a letter, then letters, digits, '-' or '_'")
        }
        guard !reserved.contains(name), !MemberState.targets.contains(name) else {
            throw arguments.error("@\(name) is a built-in set; pick another name")
        }
        return NameCommand(name: name, target: words[1].hasPrefix("@") ? String(words[1].dropFirst()) : words[1])
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 2 ? context.targetWords() : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        guard !session.memberNames.contains(name) else {
            throw ShellError("'\(name)' is a member's name; a set needs a name of its own")
        }
        let hosts = try session.resolveNonEmpty(self.target)
        session.namedSets.removeAll { $0.name == name }
        session.namedSets.append((name, hosts))
        // Recorded with its hosts, not its target: a replay must see the set as it was, not as @failed is then.
        session.recorder?.record("name \(name) \(NodeSet.fold(hosts))")
        session.io.error("@\(name) = \(NodeSet.fold(hosts)) (\(counted(hosts.count, "host")))")
        return .ok
    }
}
