/// `inventory [FILE...]`: read Ansible inventories and ClusterShell group files; alone, list the groups.
public struct InventoryCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "inventory", synopsis: "inventory [FILE...]",
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
        files.isEmpty ? session.listInventory() : try session.loadInventory(files)
    }
}
