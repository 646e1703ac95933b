import Yams

/// Ansible's YAML inventory: a mapping of groups, each with `hosts` (host pattern → its variables), `vars` and
/// `children` (more groups, nested the same way).
struct AnsibleYAML {
    let file: String

    func parse(_ root: Node) throws(InventoryError) -> Inventory {
        var inventory = Inventory()
        guard let mapping = root.mapping else {
            throw error(at: root, "an Ansible YAML inventory is a mapping of groups (e.g. all:)")
        }
        for (key, value) in mapping {
            try group(try name(key), value, parent: nil, into: &inventory)
        }
        return inventory
    }

    private func group(_ name: String, _ node: Node, parent: String?, into inventory: inout Inventory)
        throws(InventoryError)
    {
        let origin = self.origin(node)
        do throws(InventoryProblem) {
            try AnsibleINI.checkGroupName(name)
        } catch {
            throw InventoryError(at: origin, error.text)
        }
        inventory.addGroup(name, origin: origin)
        if let parent { inventory.addChild(name, toGroup: parent, origin: origin) }
        if node.null != nil { return }
        guard let entries = node.mapping else {
            throw self.error(at: node, "group '\(name)' must be a mapping with hosts, vars or children")
        }
        for (key, value) in entries {
            let word = try self.name(key)
            if value.null != nil { continue }
            switch word {
            case "hosts":
                guard let hosts = value.mapping else {
                    throw error(at: value, "'hosts' of group '\(name)' must be a mapping of host names")
                }
                for (pattern, vars) in hosts {
                    let origin = self.origin(pattern)
                    let text = try self.name(pattern)
                    let values = try variables(vars, of: "host \(text)")
                    let names: [String]
                    let port: Int?
                    do throws(InventoryProblem) {
                        (names, port) = try AnsibleINI.hostPattern(text)
                    } catch {
                        throw InventoryError(at: origin, error.text)
                    }
                    var all = values
                    if let port, all["ansible_port"] == nil { all["ansible_port"] = String(port) }
                    for host in names {
                        inventory.addHost(host, origin: origin, vars: all)
                        inventory.addHost(host, toGroup: name, origin: origin)
                    }
                }
            case "vars":
                inventory.setGroupVars(try variables(value, of: "group \(name)"), group: name, origin: origin)
            case "children":
                guard let children = value.mapping else {
                    throw error(at: value, "'children' of group '\(name)' must be a mapping of groups")
                }
                for (child, body) in children {
                    try group(try self.name(child), body, parent: name, into: &inventory)
                }
            default:
                throw error(at: key, "unexpected '\(word)' in group '\(name)' (expected hosts, vars or children)")
            }
        }
    }

    /// A mapping of variables (null: none), each value as text, the ones chop uses checked.
    private func variables(_ node: Node, of owner: String) throws(InventoryError) -> [String: String] {
        if node.null != nil { return [:] }
        guard let mapping = node.mapping else {
            throw error(at: node, "the variables of \(owner) must be a mapping of name: value")
        }
        var vars: [String: String] = [:]
        for (key, value) in mapping {
            let name = try self.name(key)
            let text: String
            if let sequence = value.sequence, name == "chop_via" {
                text = sequence.compactMap(\.string).joined(separator: ",")
            } else if value.scalar == nil, InventoryVars.used.contains(name) {
                throw error(at: value, "\(name) must be one value, not a list or mapping")
            } else {
                text = value.null != nil ? "" : (value.string ?? "")
            }
            do throws(InventoryProblem) {
                try InventoryVars.check(name, text)
            } catch {
                throw InventoryError(at: origin(value), error.text)
            }
            vars[name] = text
        }
        return vars
    }

    private func name(_ node: Node) throws(InventoryError) -> String {
        guard let text = node.scalar?.string, !text.isEmpty else {
            throw error(at: node, "expected a name here")
        }
        return text
    }

    func origin(_ node: Node) -> String { "\(file):\(node.mark?.line ?? 1)" }

    func error(at node: Node, _ problem: String) -> InventoryError {
        InventoryError(at: origin(node), problem)
    }
}

/// YAML text as nodes; a syntax error is `FILE:LINE: problem`.
enum YAMLText {
    static func compose(_ text: String, file: String) throws(InventoryError) -> Node? {
        do {
            return try Yams.compose(yaml: text)
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
                .composer(_, let problem, let mark, _):
                throw InventoryError(at: "\(file):\(mark.line)", "YAML: \(problem)")
            case .reader(let problem, _, _, _):
                throw InventoryError(at: file, "YAML: \(problem)")
            default:
                throw InventoryError(at: file, "YAML: \(error)")
            }
        } catch {
            throw InventoryError(at: file, "YAML: \(error)")
        }
    }
}
