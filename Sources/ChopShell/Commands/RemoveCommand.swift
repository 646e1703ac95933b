import Chopsticks

/// `remove TARGET...`: disconnect members and forget them.
public struct RemoveCommand: TargetListCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "remove",
        helpOrder: 30,
        synopsis: "remove TARGET...",
        summary: "disconnect hosts and forget them",
        help: """
            TARGET is a name, a range, a glob or a group (help targets); the '@' is optional.

            Examples:
              remove web03
              remove @failed
            """)

    /// Names, globs, ranges or result sets, without a leading `@`.
    public var targets: [String]

    public init(targets: [String]) { self.targets = targets }

    public static let needsTargets = true

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let names = try session.resolver().resolve(targets)
        if names.isEmpty {
            throw ShellError("nothing to remove: '\(targets.joined(separator: " "))' selects no host")
        }
        let removed = session.group.remove(names)
        // A removed member's sudo agents (run --sudo) go with it.
        let companions = SudoCompanions.take(of: names, in: session)
        for (key, members) in session.sets { session.sets[key] = members.filter { !names.contains($0) } }
        await withTaskGroup(of: Void.self) { tasks in
            for tunnel in removed + companions { tasks.addTask { await tunnel.close() } }
        }
        session.io.error("removed \(counted(removed.count, "member")): \(NodeSet.fold(names))")
        return .ok
    }
}
