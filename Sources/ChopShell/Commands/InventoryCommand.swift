import Foundation

/// `inventory [FILE...]`: read Ansible inventories and ClusterShell group files; alone, list the groups.
public struct InventoryCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "inventory",
        helpOrder: 20,
        synopsis: "inventory [FILE...]",
        summary: "read Ansible or ClusterShell groups; list them",
        help: """
            Reads Ansible inventories (INI or YAML: groups, children, ranges web[01:20], [a:f], [0:10:2],
            group and host vars) and ClusterShell group files ('name: nodeset' lines, or the YAML groups.d
            form). The format is told by the content, the extension (.ini, .yml, .yaml) is a hint.
            Reading adds no member: 'add @GROUP' adds a group's hosts (add @all: every host), with
            ansible_host, ansible_port, ansible_user, ansible_python_interpreter, ansible_become(_user) and
            chop_via (or a ProxyJump in ansible_ssh_common_args) applied; host vars win over group vars.
            Each group is a target for its hosts that are members: @webservers run uptime.
            A bad file is reported as FILE:LINE and changes nothing. With no FILE, lists the groups.
            chop -i FILE reads one at start-up.

            Examples:
              inventory hosts.ini
              inventory inventory.yml groups.d/cluster.yaml
              inventory
            """)

    public var files: [String]

    public init(files: [String]) { self.files = files }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> InventoryCommand {
        InventoryCommand(files: try arguments.positional(hint: CommandArguments.fileHint))
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.paths(context.word)
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        files.isEmpty ? Self.list(in: session) : try Self.load(files, into: session)
    }

    /// Reads the files, all or nothing: each is parsed whole, then checked together with what is loaded
    /// already, and only then does the session's inventory change. No member is added.
    private static func load(_ paths: [String], into session: isolated Session) throws -> CommandResult {
        let merged: Inventory
        let read: [(path: String, format: InventoryLoader.Format, inventory: Inventory)]
        let loaded = session.inventory
        switch Result(catching: { () throws(InventoryError) in try Self.readInventories(paths, after: loaded) }) {
        case .success(let done): (merged, read) = done
        case .failure(let error): throw ShellError(error.message)
        }
        session.inventory = merged
        for (path, format, parsed) in read {
            for warning in parsed.warnings { session.io.error("warning: \(warning)") }
            let groups = parsed.groupOrder.filter { $0 != "all" && $0 != "ungrouped" }
            session.io.error(
                "read \(path) (\(format.rawValue)): \(counted(groups.count, "group")), "
                    + "\(counted(parsed.hostOrder.count, "host")); 'add @GROUP' adds a group's hosts")
        }
        let builtIn = ResultSet.everyResult.map(\.rawValue) + MemberState.targets
        for name in merged.groupOrder where builtIn.contains(name) {
            session.io.error(
                "note: group '\(name)' is hidden by chop's own @\(name) target; 'add @\(name)' still adds it")
        }
        return .ok
    }

    /// The files parsed and merged after `loaded`, checked together.
    private static func readInventories(_ paths: [String], after loaded: Inventory) throws(InventoryError) -> (
        Inventory, [(path: String, format: InventoryLoader.Format, inventory: Inventory)]
    ) {
        var merged = loaded
        var read: [(path: String, format: InventoryLoader.Format, inventory: Inventory)] = []
        for path in paths {
            let loadedFile = try InventoryLoader.load((path as NSString).expandingTildeInPath)
            merged = merged.merged(with: loadedFile.0)
            read.append((path, loadedFile.1, loadedFile.0))
        }
        return (try merged.validated(), read)
    }

    /// `inventory` alone: each group with its host count and hosts, and how many are members.
    private static func list(in session: isolated Session) -> CommandResult {
        guard !session.inventory.isEmpty else {
            session.io.print("no inventory loaded: 'inventory FILE' reads an Ansible or ClusterShell file")
            return .ok
        }
        let members = Set(session.group.names)
        var table = TextTable(headers: ["GROUP", "HOSTS", "MEMBERS", "NAMES"])
        for name in session.inventory.groupNames {
            let hosts = session.inventory.expanded[name] ?? []
            table.addRow([
                "@" + TerminalText.sanitize(name), String(hosts.count), String(hosts.filter(members.contains).count),
                TerminalText.sanitize(NodeSet.fold(hosts)),
            ])
        }
        for line in table.render(maxWidth: max(40, session.io.width())) { session.io.print(line) }
        return .ok
    }
}
