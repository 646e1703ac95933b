import Yams

/// Ansible's YAML inventory: a mapping of groups, each with `hosts` (host pattern → its variables), `vars` and
/// `children` (more groups, nested the same way). Read as Ansible's `yaml` plugin does: `hosts: test5` (a string)
/// is one host, a key other than those three or a group that is not a mapping is skipped with a warning, a host
/// or group name that YAML reads as a number is an error, and a Jinja value is left unset with a warning.
struct AnsibleYAML {
    let file: String

    func parse(_ root: Node) throws(InventoryError) -> Inventory {
        var inventory = Inventory()
        guard let mapping = root.mapping else {
            throw error(at: root, "an Ansible YAML inventory is a mapping of groups (e.g. all:)")
        }
        for (key, value) in mapping {
            try group(try name(key, of: "group"), value, at: key, parent: nil, into: &inventory)
        }
        return inventory
    }

    private func group(_ name: String, _ node: Node?, at key: Node, parent: String?, into inventory: inout Inventory)
        throws(InventoryError)
    {
        let origin = self.origin(key)
        do throws(InventoryProblem) {
            try AnsibleINI.checkGroupName(name)
        } catch {
            throw InventoryError(at: origin, error.text)
        }
        guard node == nil || node?.null != nil || node?.mapping != nil else {
            inventory.warnings.append(
                "\(origin): group '\(name)' is skipped: a group is a mapping with hosts, vars or children")
            return
        }
        inventory.addGroup(name, origin: origin)
        if let parent { inventory.addChild(name, toGroup: parent, origin: origin) }
        guard let entries = node?.mapping else { return }
        for (key, rawValue) in entries {
            let word = try self.name(key, of: "key")
            guard ["hosts", "vars", "children"].contains(word) else {
                inventory.warnings.append(
                    "\(self.origin(key)): '\(word)' in group '\(name)' is skipped: a group has hosts, vars or children")
                continue
            }
            // Ansible takes one name as a string (`hosts: test5`) for the mapping {test5: null}.
            let value = try entry(rawValue, word, of: name)
            guard let value else { continue }
            switch word {
            case "hosts":
                for (pattern, vars) in value {
                    let origin = self.origin(pattern)
                    let text = try self.name(pattern, of: "host pattern")
                    let values = try variables(vars, of: "host \(text)", into: &inventory)
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
                var vars: [String: String] = [:]
                for (key, body) in value {
                    let variable = try self.name(key, of: "variable")
                    vars[variable] = try self.value(body, of: variable, into: &inventory)
                }
                inventory.setGroupVars(vars, group: name, origin: origin)
            default:
                for (child, body) in value {
                    try group(try self.name(child, of: "group"), body, at: child, parent: name, into: &inventory)
                }
            }
        }
    }

    /// A section's entries: a string is one key without a value, null is none, anything else but a mapping is
    /// an error.
    private func entry(_ node: Node, _ word: String, of group: String) throws(InventoryError) -> [(Node, Node?)]? {
        if node.null != nil { return nil }
        if node.scalar != nil { return [(node, nil)] }
        guard let mapping = node.mapping else {
            throw error(at: node, "'\(word)' of group '\(group)' must be a mapping (or one name), not a list")
        }
        return mapping.map { ($0.key, $0.value) }
    }

    /// A host's variables (null: none), each value as text, the ones chop uses checked.
    private func variables(_ node: Node?, of owner: String, into inventory: inout Inventory) throws(InventoryError)
        -> [String: String]
    {
        guard let node, node.null == nil else { return [:] }
        guard let mapping = node.mapping else {
            throw error(at: node, "the variables of \(owner) must be a mapping of name: value")
        }
        var vars: [String: String] = [:]
        for (key, value) in mapping {
            let name = try self.name(key, of: "variable")
            vars[name] = try self.value(value, of: name, into: &inventory)
        }
        return vars
    }

    /// One variable's value as text (a list for `chop_via`), checked when chop uses it; a Jinja template is kept
    /// with a warning and left unset where it is used.
    private func value(_ node: Node?, of name: String, into inventory: inout Inventory) throws(InventoryError)
        -> String
    {
        guard let value = node, value.null == nil else { return "" }
        let text: String
        if let sequence = value.sequence, name == "chop_via" {
            text = sequence.compactMap(\.string).joined(separator: ",")
        } else if value.scalar == nil, InventoryVars.used.contains(name) {
            throw error(at: value, "\(name) must be one value, not a list or mapping")
        } else {
            text = value.string ?? ""
        }
        if InventoryVars.isTemplate(text) {
            inventory.warnings.append(InventoryVars.templateWarning(name, text, at: origin(value)))
        }
        do throws(InventoryProblem) {
            try InventoryVars.check(name, text)
        } catch {
            throw InventoryError(at: origin(value), error.text)
        }
        return text
    }

    /// A name: a non-empty string. Ansible refuses one that YAML reads as a number or a boolean (`42:`), which
    /// must be quoted (`"42":`).
    private func name(_ node: Node, of what: String) throws(InventoryError) -> String {
        guard let text = node.scalar?.string, !text.isEmpty, node.null == nil else {
            throw error(at: node, "expected a \(what) name here")
        }
        if isNonString(node) {
            throw error(at: node, "the \(what) name \(text) is a number or boolean in YAML: quote it (\"\(text)\")")
        }
        return text
    }

    /// A scalar YAML resolves to an int, float or bool rather than a string (a quoted one stays a string).
    private func isNonString(_ node: Node) -> Bool {
        [Tag.Name.int, .float, .bool].map(\.rawValue).contains(node.tag.description)
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
