import Chopsticks

/// `disconnect [--persist] [TARGET...]`: close connections but keep the members.
public struct DisconnectCommand: TargetListCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "disconnect",
        helpOrder: 60,
        synopsis: "disconnect [TARGET...]",
        summary: "close connections but keep the hosts",
        takesTarget: true,
        options: [.flag("--persist", "also end the ssh connections kept for later runs (set persist)")],
        help: """
            The agents exit and their tunnels close; the members stay and connect again on their next use.
            Without TARGET: the @TARGET of the line, or else the current target.
            --persist also ends the ssh master connections they share between runs, and their jump hosts':
            the next connect pays the whole handshake again.

            Examples:
              disconnect web[1-4]
              disconnect --persist
            """)

    /// Empty: the line's `@TARGET` or the current target.
    public var targets: [String]
    /// End the shared ssh masters too.
    public var persist = false

    public init(targets: [String]) { self.targets = targets }

    public init(targets: [String], persist: Bool) {
        self.targets = targets
        self.persist = persist
    }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> Self {
        let (positional, options) = try arguments.options(hint: CommandArguments.nameHint)
        if let target = arguments.target, !positional.isEmpty {
            throw arguments.error("give the hosts either as '@\(target)' or after disconnect, not both")
        }
        var rest = arguments
        rest.words = positional
        return Self(targets: try rest.targetWords(), persist: options.has("--persist"))
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let names = targets.isEmpty ? try session.resolve(target) : try session.resolver().resolve(targets)
        let persist = self.persist
        let (ended, agents) = await withTaskGroup(of: (Int, Int).self) { tasks in
            for tunnel in session.group.subset(names).tunnels {
                tasks.addTask {
                    await tunnel.disconnect()
                    guard persist, let ssh = tunnel.kind as? SSH else { return (0, 0) }
                    // The agent kept for later runs first: it is reached through the master.
                    let agent = await LingeringAgent.end(for: ssh, stderr: StderrLog())
                    let masters = await ControlMaster.end(for: ssh)
                    LingeringAgent.forget(ssh)
                    return (masters, agent ? 1 : 0)
                }
            }
            var total = (0, 0)
            for await (masters, agents) in tasks { total = (total.0 + masters, total.1 + agents) }
            return total
        }
        session.io.error("disconnected \(counted(names.count, "member")): \(NodeSet.fold(names))")
        if persist {
            let kept = agents > 0 ? " and \(counted(agents, "agent")) kept for later runs" : ""
            session.io.error("ended \(counted(ended, "shared ssh connection"))\(kept)")
        }
        return .ok
    }
}
