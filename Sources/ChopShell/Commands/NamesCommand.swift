/// `names`: the named sets and their hosts.
public struct NamesCommand: ArgumentlessCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "names",
        helpOrder: 250,
        synopsis: "names",
        summary: "list the sets kept with 'name'",
        help: """
            Examples:
              names
            """)

    public init() {}

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        if session.namedSets.isEmpty {
            session.io.error("no named sets yet: 'name NAME TARGET' keeps one")
            return .ok
        }
        for (name, hosts) in session.namedSets {
            session.io.print("@\(name)  \(NodeSet.fold(hosts))  (\(counted(hosts.count, "host")))")
        }
        return .ok
    }
}
