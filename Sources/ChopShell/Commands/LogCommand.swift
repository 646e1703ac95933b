import Chopsticks

/// `log [TARGET...]`: what the tunnels themselves wrote on stderr (ssh warnings, agent messages), per host.
public struct LogCommand: TargetListCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "log",
        helpOrder: 300,
        synopsis: "log [TARGET...]",
        summary: "show what the tunnels wrote on stderr, per host",
        help: """
            ssh warnings, sudo messages and the agent's own errors, the last 200 lines of each, as host: line.
            What a host printed on stdout when chop logged in, before the agent started (an rc file's banner),
            is here too, each line marked "(printed on login)": chop skips it.

            Examples:
              log
              log web03
            """)

    public var targets: [String]

    public init(targets: [String]) { self.targets = targets }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let names = targets.isEmpty ? try session.resolve(nil) : try session.resolver().resolve(targets)
        // A tunnel's stderr comes on a pipe of its own, read apart from the replies: what the last command printed
        // there can still be on its way when its reply is in (a script's `log` runs at once). 50 ms lets it land.
        try? await Task.sleep(for: .milliseconds(50))
        let json = session.settings.output == .json
        var messages: [JSONValue] = []
        for tunnel in session.group.subset(names).tunnels {
            for line in tunnel.stderr.lines {
                messages.append(["host": .string(tunnel.name), "line": .string(line)])
                if !json { session.io.print("\(TerminalText.sanitize(tunnel.name)): \(TerminalText.sanitize(line))") }
            }
        }
        if json {
            session.emit(["messages": .array(messages)])
        } else if messages.isEmpty {
            session.io.print("no messages from the tunnels of \(NodeSet.fold(names))")
        }
        return .ok
    }
}
