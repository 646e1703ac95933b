import Chopsticks
import Foundation

/// `inventory FILE`, `chop -i FILE`, `add @GROUP`: groups and hosts from Ansible and ClusterShell files.
extension Session {
    /// Reads the files, all or nothing: each is parsed whole, then checked together with what is loaded
    /// already, and only then does the session's inventory change. No member is added.
    func loadInventory(_ paths: [String]) throws -> CommandResult {
        let merged: Inventory
        let read: [(path: String, format: InventoryLoader.Format, inventory: Inventory)]
        switch Result(catching: { () throws(InventoryError) in try Self.readInventories(paths, after: inventory) }) {
        case .success(let done): (merged, read) = done
        case .failure(let error): throw ShellError(error.message)
        }
        inventory = merged
        for (path, format, parsed) in read {
            for warning in parsed.warnings { io.error("warning: \(warning)") }
            let groups = parsed.groupOrder.filter { $0 != "all" && $0 != "ungrouped" }
            io.error(
                "read \(path) (\(format.rawValue)): \(counted(groups.count, "group")), "
                    + "\(counted(parsed.hostOrder.count, "host")); 'add @GROUP' adds a group's hosts")
        }
        let builtIn = ResultSet.everyResult.map(\.rawValue) + MemberState.targets
        for name in merged.groupOrder where builtIn.contains(name) {
            io.error("note: group '\(name)' is hidden by chop's own @\(name) target; 'add @\(name)' still adds it")
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
    func listInventory() -> CommandResult {
        guard !inventory.isEmpty else {
            io.print("no inventory loaded: 'inventory FILE' reads an Ansible or ClusterShell file")
            return .ok
        }
        let members = Set(group.names)
        var table = TextTable(headers: ["GROUP", "HOSTS", "MEMBERS", "NAMES"])
        for name in inventory.groupNames {
            let hosts = inventory.expanded[name] ?? []
            table.addRow([
                "@" + TerminalText.sanitize(name), String(hosts.count), String(hosts.filter(members.contains).count),
                TerminalText.sanitize(NodeSet.fold(hosts)),
            ])
        }
        for line in table.render(maxWidth: max(40, io.width())) { io.print(line) }
        return .ok
    }

    /// The inventory hosts of `@GROUP` (`@all`: every host), for `add`.
    func inventoryHosts(_ reference: String) throws(ShellError) -> [String] {
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
    func inventoryTunnel(_ name: String, python: String?, sudo: String?, via: [String]?) throws -> Tunnel {
        let host = inventory.settings(of: name)
        if let (key, value) = host.unresolved.sorted(by: { $0.key < $1.key }).first {
            throw ShellError(
                "\(name): \(key) is the Jinja template '\(value)', which chop cannot evaluate; "
                    + "give \(name) a plain \(key) in the inventory")
        }
        let kind: SSH
        do {
            kind = try SSH(
                host.address, user: host.user, port: host.port, sudo: sudo != nil || host.become,
                sudoUser: sudo ?? host.becomeUser, options: sshOptions, configFile: sshConfigFile,
                python: python ?? host.python ?? settings.python, name: name, via: via ?? host.via,
                persist: settings.persist)
        } catch {
            throw ShellError("\(name): \(error)")
        }
        return Tunnel(kind, connectTimeout: settings.connectTimeout)
    }

    /// Group names for Tab after `@` and `add @`.
    public var inventoryGroupNames: [String] { inventory.groupNames }
}
