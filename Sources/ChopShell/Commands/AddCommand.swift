import Chopsticks

/// `add HOST|@GROUP... [--via JUMP] [--python PATH] [--sudo [USER]]`: SSH members, ranges expanded (`web[01-12]`,
/// `root@db:2222`), inventory groups (`@webservers`), through jump hosts (`--via bastion`). Its subcommands
/// add the other kinds: `add local`, `add sudo`, `add docker`, `add container`.
public struct AddCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "add",
        helpOrder: 10,
        synopsis: "add HOST|@GROUP...",
        summary: "add SSH hosts: web[01-12], root@db:2222",
        subcommands: [AddLocalCommand.self, AddSudoCommand.self, AddDockerCommand.self, AddContainerCommand.self],
        options: [
            .value("--via", "JUMP", example: "bastion", "reach the hosts through jump hosts (ProxyJump; a,b chains)"),
            .gateway,
            .forwardAgent,
            .python,
            OptionSpec(
                "--sudo", arity: .optionalValue("USER", implied: "root"),
                "run the agent through sudo, as USER (root); put it last"),
        ],
        help: """
            Hosts are reached with your own ssh, so ~/.ssh/config, keys and ProxyJump apply.
            HOST is [USER@]NAME[:PORT]; ranges such as web[01-12] or db[1,3,5-7] add many at once.
            --python names the interpreter (every form takes it); otherwise chop finds one (see set python).
            --sudo runs the agent through sudo on the hosts, as USER (root by default); put it last. sudo runs
            with -n until you give a password: a host whose sudo asks for one shows 'needs password', and
            'password' gives it (once, for all of them).
            The 'local' member chop starts with leaves as soon as you add another; 'add local' keeps it.
            Host names cannot start with '-' or '@', nor contain spaces, '*' or '?'.
            @GROUP adds the hosts of a group read by 'inventory' (@all: all of them), with their variables.
            --via reaches the hosts through jump hosts (ssh's ProxyJump; a chain is --via a,b), each
            configured in your ssh config; it wins over an inventory's chop_via.
            --gateway GW reaches the hosts through members: each gateway's agent runs its own ssh to them and
            relays their frames, so chop holds one connection per gateway, not per host; gw[1-4] spreads the
            hosts over four gateways. @via:GW targets the hosts behind GW. Their ssh uses the gateway's keys;
            with --forward-agent the gateways' own ssh forwards your agent and theirs to these hosts uses it.

            Examples:
              add web[01-04] root@db:2222
              add legacy1 --python /usr/bin/python3.9
              add web[1-3] --sudo
              add node[1-50] --via bastion
              add node[1-1000] --gateway gw[1-4]
              add @webservers
              add @all
              add db1 --sudo postgres
              add sudo postgres
              add docker test1 test2 --image python:3.12-slim
            """)

    /// Host patterns as typed; each is checked for characters that could never be a host, ranges are expanded
    /// by the session.
    public var hosts: [String]
    public var python: String?
    /// The user sudo runs the agent as on the hosts; nil: no sudo.
    public var sudo: String?
    /// Jump hosts (`--via a,b`); nil: none given.
    public var via: [String]?
    /// Gateways (a node set of members) that reach the hosts; nil: chop reaches them itself.
    public var gateway: String?
    /// The gateways' ssh to these hosts may use the user's agent (`--forward-agent`).
    public var forwardAgent = false

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> AddCommand {
        let (hosts, options) = try arguments.options(hint: "; host names cannot start with '-'")
        let sudo = options.value("--sudo")
        if let user = sudo {
            guard !user.isEmpty else { throw arguments.error("--sudo=USER needs a user name") }
            try arguments.checkName(user, what: "host names")
        }
        guard !hosts.isEmpty else { throw arguments.error("add needs at least one host, e.g. add web[01-04]") }
        for host in hosts {
            if host.hasPrefix("@") {
                try arguments.checkName(String(host.dropFirst()), what: "host names")
            } else {
                try arguments.checkName(host, what: "host names")
            }
        }
        var via: [String]?
        if let text = options.value("--via") {
            let hops = text.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            for hop in hops {
                guard !hop.isEmpty else { throw arguments.error("--via needs jump hosts such as bastion or a,b") }
                guard !hop.hasPrefix("-") else { throw arguments.error("jump host '\(hop)' cannot start with '-'") }
                try arguments.checkName(hop, what: "host names")
            }
            via = hops
        }
        return AddCommand(
            hosts: hosts, python: options.value("--python"), sudo: sudo, via: via, gateway: options.value("--gateway"),
            forwardAgent: options.has("--forward-agent"))
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        if context.word.hasPrefix("@") { return context.groups.map { "@" + $0 } }
        return declaration.subcommands.map { $0.declaration.subcommandWord } + context.knownHosts
    }

    /// Adds SSH members (ranges expanded; `@GROUP` names an inventory group, whose hosts that are not members
    /// yet come with their variables) and starts connecting them in the background. `via`: jump hosts.
    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        var tunnels: [Tunnel] = []
        // Each host's gateways: --gateway, else its inventory's chop_gateway.
        var gateways: [String?] = []
        var fromGroups = Set(session.group.names)
        var already = 0
        for spec in hosts {
            if spec.hasPrefix("@") {
                for name in try Self.inventoryHosts(spec, in: session) {
                    guard fromGroups.insert(name).inserted else {
                        already += session.group[name] == nil ? 0 : 1
                        continue
                    }
                    tunnels.append(try Self.inventoryTunnel(name, python: python, sudo: sudo, via: via, in: session))
                    gateways.append(gateway ?? session.inventory.settings(of: name).gateway)
                }
                continue
            }
            let names: [String]
            do {
                names = try NodeSet.expand(spec)
            } catch {
                throw ShellError("bad host list '\(spec)': \(error)")
            }
            for name in names {
                let kind: SSH
                do {
                    kind = try SSH(
                        parsing: name, options: session.sshOptions, configFile: session.sshConfigFile,
                        python: python ?? session.settings.python, sudo: sudo != nil, sudoUser: sudo ?? "root",
                        via: via ?? [], persist: session.settings.persist,
                        firstRequestInCommand: session.settings.inlineFirst)
                } catch {
                    throw ShellError("\(error)")
                }
                tunnels.append(Tunnel(kind, connectTimeout: session.settings.connectTimeout))
                gateways.append(gateway)
            }
        }
        if already > 0 {
            session.io.error(
                "\(counted(already, "host")) of the groups named \(already == 1 ? "is" : "are") a member already")
        }
        if tunnels.isEmpty { return .ok }
        // Typed patterns fold as nodeset -f folds them (n[-5-5] stays n[-5-5]); inventory groups by their names.
        let typed =
            hosts.contains { $0.hasPrefix("@") } ? nil : try? NodeSet.fold(pattern: hosts.joined(separator: ","))
        return try await MemberDirectory.add(
            try MemberDirectory.behindGateways(tunnels, gateways: gateways, forwardAgent: forwardAgent, in: session),
            shown: typed,
            in: session)
    }

    /// The inventory hosts of `@GROUP` (`@all`: every host), for `add`.
    private static func inventoryHosts(_ reference: String, in session: isolated Session) throws(ShellError)
        -> [String]
    {
        let inventory = session.inventory
        let name = reference.hasPrefix("@") ? String(reference.dropFirst()) : reference
        guard !inventory.isEmpty else {
            throw ShellError("no inventory loaded, so no group @\(name): 'inventory FILE' reads one")
        }
        guard let hosts = inventory.expanded[name] else {
            let known = inventory.groupNames.prefix(8).map { "@" + $0 }.joined(separator: ", ")
            throw ShellError(
                "no inventory group '\(name)'; groups: \(known)\(inventory.groupNames.count > 8 ? ", …" : "")")
        }
        guard !hosts.isEmpty else { throw ShellError("inventory group '\(name)' has no hosts") }
        return hosts
    }

    /// An SSH member for an inventory host, its variables applied; `python`, `sudo` and `via` given on the
    /// `add` line win over them.
    private static func inventoryTunnel(
        _ name: String, python: String?, sudo: String?, via: [String]?, in session: isolated Session
    ) throws -> Tunnel {
        let host = session.inventory.settings(of: name)
        if let (key, value) = host.unresolved.sorted(by: { $0.key < $1.key }).first {
            throw ShellError(
                "\(name): \(key) is the Jinja template '\(value)', which chop cannot evaluate; "
                    + "give \(name) a plain \(key) in the inventory")
        }
        let kind: SSH
        do {
            kind = try SSH(
                host.address, user: host.user, port: host.port, sudo: sudo != nil || host.become,
                sudoUser: sudo ?? host.becomeUser, options: session.sshOptions, configFile: session.sshConfigFile,
                python: python ?? host.python ?? session.settings.python, name: name, via: via ?? host.via,
                persist: session.settings.persist, firstRequestInCommand: session.settings.inlineFirst)
        } catch {
            throw ShellError("\(name): \(error)")
        }
        return Tunnel(kind, connectTimeout: session.settings.connectTimeout)
    }
}
