/// Groups and hosts read from Ansible inventories and ClusterShell group files: which hosts each group names,
/// and the variables that say how to reach each host.
///
/// Loading one changes no member: `add @GROUP` adds a group's hosts with their variables applied, and each group
/// is a target (`@webservers run uptime`) for the hosts of it that are members.
public struct Inventory: Sendable, Equatable {
    /// One group as written: its own hosts, its child groups and its variables.
    public struct Group: Sendable, Equatable {
        public var hosts: [String] = []
        var hostSet: Set<String> = []
        public var children: [String] = []
        public var vars: [String: String] = [:]
        /// Where it was first named (`FILE:LINE`).
        public var origin: String
    }

    /// Hosts in the order they were first named.
    public private(set) var hostOrder: [String] = []
    /// Each host's own variables (they win over every group's).
    public private(set) var hostVars: [String: [String: String]] = [:]
    /// Where each host was first named (`FILE:LINE`), for errors.
    public private(set) var hostOrigins: [String: String] = [:]
    /// Groups by name, and their order of first mention.
    public private(set) var groups: [String: Group] = [:]
    public private(set) var groupOrder: [String] = []
    /// Every group's hosts, children included, in host order: what `@GROUP` and `add @GROUP` use. Computed by
    /// `validated()`.
    public private(set) var expanded: [String: [String]] = [:]
    /// The same as sets, and each group's depth below `all` (a child is deeper than its parents): for
    /// `variables(of:)`.
    private var membership: [String: Set<String>] = [:]
    private var depth: [String: Int] = [:]
    /// What was read but left aside (a Jinja value, a key Ansible skips), one line each, `FILE:LINE` first: shown
    /// once when the file is read.
    public internal(set) var warnings: [String] = []

    public init() {}

    public var isEmpty: Bool { hostOrder.isEmpty && groups.isEmpty }

    /// The group names a user can type after `@` (`all` included once anything is loaded).
    public var groupNames: [String] { isEmpty ? [] : (["all"] + groupOrder.filter { $0 != "all" }) }

    // MARK: Building

    mutating func addHost(_ name: String, origin: String, vars: [String: String] = [:]) {
        if hostVars[name] == nil {
            hostOrder.append(name)
            hostVars[name] = [:]
            hostOrigins[name] = origin
        }
        hostVars[name, default: [:]].merge(vars) { $1 }
    }

    mutating func addGroup(_ name: String, origin: String) {
        guard groups[name] == nil else { return }
        groups[name] = Group(origin: origin)
        groupOrder.append(name)
    }

    mutating func addHost(_ host: String, toGroup group: String, origin: String) {
        addGroup(group, origin: origin)
        if groups[group]!.hostSet.insert(host).inserted { groups[group]!.hosts.append(host) }
    }

    mutating func addChild(_ child: String, toGroup group: String, origin: String) {
        addGroup(group, origin: origin)
        addGroup(child, origin: origin)
        if !groups[group]!.children.contains(child) { groups[group]!.children.append(child) }
    }

    mutating func setGroupVars(_ vars: [String: String], group: String, origin: String) {
        addGroup(group, origin: origin)
        groups[group]!.vars.merge(vars) { $1 }
    }

    /// This inventory with `other` read after it: hosts and groups join, later variables win.
    func merged(with other: Inventory) -> Inventory {
        var result = self
        for host in other.hostOrder {
            result.addHost(host, origin: other.hostOrigins[host] ?? "", vars: other.hostVars[host] ?? [:])
        }
        for name in other.groupOrder {
            guard let group = other.groups[name] else { continue }
            result.addGroup(name, origin: group.origin)
            for host in group.hosts { result.addHost(host, toGroup: name, origin: group.origin) }
            for child in group.children { result.addChild(child, toGroup: name, origin: group.origin) }
            result.setGroupVars(group.vars, group: name, origin: group.origin)
        }
        return result
    }

    // MARK: Checking

    /// Checks what only the whole inventory can show (a host named as a group, a cycle of children) and
    /// computes each group's hosts.
    func validated() throws(InventoryError) -> Inventory {
        for name in groupOrder where hostVars[name] != nil {
            throw InventoryError(
                at: hostOrigins[name] ?? groups[name]?.origin ?? "",
                "host '\(name)' has the name of a group (group named at \(groups[name]?.origin ?? "?")); rename one")
        }
        var result = self
        result.expanded = [:]
        let position = Dictionary(uniqueKeysWithValues: hostOrder.enumerated().map { ($1, $0) })
        for name in groupOrder {
            var seen = Set<String>()
            var hosts = Set<String>()
            try collect(name, path: [], seen: &seen, into: &hosts)
            result.expanded[name] = hosts.sorted { position[$0, default: 0] < position[$1, default: 0] }
        }
        result.expanded["all"] = hostOrder
        // As Ansible reconciles it: `ungrouped` holds exactly the hosts in no group but `all`, wherever written.
        let grouped = Set(groups.filter { $0.key != "all" && $0.key != "ungrouped" }.values.flatMap(\.hosts))
        let ungrouped = hostOrder.filter { !grouped.contains($0) }
        if result.groups["ungrouped"] != nil || !ungrouped.isEmpty {
            if result.groups["ungrouped"] == nil { result.addGroup("ungrouped", origin: "") }
            result.groups["ungrouped"]!.hosts = ungrouped
            result.groups["ungrouped"]!.hostSet = Set(ungrouped)
            result.expanded["ungrouped"] = ungrouped
        }
        result.membership = result.expanded.mapValues(Set.init)
        result.depth = [:]
        func visit(_ name: String, _ level: Int) {
            // Cycles were refused above, so every path ends.
            guard let group = groups[name], level > result.depth[name] ?? -1 else { return }
            result.depth[name] = level
            for child in group.children { visit(child, level + 1) }
        }
        let childNames = Set(groups.values.flatMap(\.children))
        for name in groupOrder where !childNames.contains(name) { visit(name, name == "all" ? 0 : 1) }
        return result
    }

    private func collect(
        _ name: String, path: [String], seen: inout Set<String>, into hosts: inout Set<String>
    ) throws(InventoryError) {
        if path.contains(name) {
            throw InventoryError(
                at: groups[name]?.origin ?? "",
                "groups are children of each other: \((path + [name]).joined(separator: " → "))")
        }
        guard seen.insert(name).inserted, let group = groups[name] else { return }
        hosts.formUnion(group.hosts)
        for child in group.children { try collect(child, path: path + [name], seen: &seen, into: &hosts) }
    }

    // MARK: Reading

    /// The variables that apply to `host`: `all`'s, then each of its groups' (parents before children, then by
    /// name, as Ansible orders them), then its own.
    public func variables(of host: String) -> [String: String] {
        let containing = groupOrder.filter { membership[$0]?.contains(host) == true }
        let ordered = containing.sorted { (depth[$0] ?? 1, $0) < (depth[$1] ?? 1, $1) }
        var vars: [String: String] = [:]
        for name in ordered { vars.merge(groups[name]?.vars ?? [:]) { $1 } }
        vars.merge(hostVars[host] ?? [:]) { $1 }
        return vars
    }

    /// How to reach `host`, from its variables.
    public func settings(of host: String) -> InventoryHost {
        InventoryHost(name: host, vars: variables(of: host))
    }
}

/// A bad inventory: `FILE:LINE: message`, one line.
public struct InventoryError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(at origin: String, _ problem: String) {
        message = origin.isEmpty ? problem : "\(origin): \(problem)"
    }
    public var description: String { message }
}
