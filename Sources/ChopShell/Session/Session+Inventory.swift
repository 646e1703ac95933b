import Chopsticks
import Foundation

/// `add @GROUP`: the hosts of an inventory group (which `InventoryCommand` reads) as members.
extension Session {
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
