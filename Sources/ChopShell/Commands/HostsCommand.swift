import Chopsticks

/// `hosts`: the members with their kind, state, Python, round trip and last error.
public struct HostsCommand: ArgumentlessCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "hosts",
        helpOrder: 40,
        synopsis: "hosts",
        summary: "list the hosts with their kind and connection state",
        takesTarget: true,
        help: """
            Examples:
              hosts
              @web* hosts
            """)

    public init() {}

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let json = session.settings.output == .json
        if session.group.isEmpty {
            if json {
                session.emit(["hosts": []])
            } else {
                session.io.print(ResultRenderer.noHostsMessage)
            }
            return .ok
        }
        let names = Set(try target.map { try session.resolveNonEmpty($0) } ?? session.group.names)
        let infos = await session.members().filter { names.contains($0.name) }
        if json {
            session.emit(["hosts": .array(infos.map(\.jsonValue))])
            return .ok
        }
        var table = TextTable(headers: ["NAME", "KIND", "STATE", "PYTHON", "RTT", "LAST ERROR"])
        for info in infos {
            table.addRow([
                TerminalText.sanitize(info.name), info.kind, info.state, TerminalText.sanitize(info.python ?? ""),
                info.rtt.map { String(format: "%.1f ms", $0 * 1000) } ?? "",
                TerminalText.sanitize(info.lastError ?? ""),
            ])
        }
        for line in table.render(maxWidth: max(40, session.io.width())) { session.io.print(line) }
        let chatty = infos.filter(\.printsOnLogin).map(\.name)
        if !chatty.isEmpty {
            session.io.print(
                "\(TerminalText.sanitize(NodeSet.fold(chatty))) print text on login (an rc file): chop skips it; "
                    + "'log HOST' shows it")
        }
        return .ok
    }
}
