import Yams

/// ClusterShell group files: `name: nodeset` lines (the flat file of the `file` upcall, `#` comments), or the
/// YAML `groups.d` form, a mapping of source name → {group: nodeset}. Node sets use chop's syntax
/// (`node[01-20]`) and may name other groups (`@compute`, `@source:group`), joined left to right with `,`
/// (union), `!` (minus), `&` (both) and `^` (one of the two), as ClusterShell does.
struct ClusterShellGroups {
    let file: String

    /// One group's definition, before its node set is worked out.
    private struct Definition {
        var expression: String
        var origin: String
        var source: String?
    }

    /// `name: nodeset` lines.
    func parseFlat(_ text: String) throws(InventoryError) -> Inventory {
        var definitions: [(String, Definition)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let origin = "\(file):\(index + 1)"
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let colon = line.firstIndex(of: ":") else {
                throw InventoryError(at: origin, "expected 'group: nodeset', not '\(line)'")
            }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let expression = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            definitions.append((name, Definition(expression: expression, origin: origin)))
        }
        return try build(definitions)
    }

    /// The `groups.d` YAML form.
    func parseYAML(_ root: Node) throws(InventoryError) -> Inventory {
        let yaml = AnsibleYAML(file: file)
        guard let sources = root.mapping else {
            throw yaml.error(at: root, "a groups.d file is a mapping of source names to {group: nodeset}")
        }
        var definitions: [(String, Definition)] = []
        for (sourceKey, groups) in sources {
            guard let source = sourceKey.string, let mapping = groups.mapping else {
                throw yaml.error(at: groups, "each source maps group names to node sets, e.g. roles: {web: 'web[1-4]'}")
            }
            for (key, value) in mapping {
                guard let name = key.string, let expression = value.scalar?.string else {
                    throw yaml.error(at: value, "a group's node set is one string, e.g. 'node[01-20]'")
                }
                definitions.append(
                    (name, Definition(expression: expression, origin: yaml.origin(key), source: source)))
            }
        }
        return try build(definitions)
    }

    /// Works out every group's hosts (references followed, cycles refused) into an inventory.
    private func build(_ definitions: [(String, Definition)]) throws(InventoryError) -> Inventory {
        var table: [String: Definition] = [:]
        var order: [String] = []
        for (name, definition) in definitions {
            do throws(InventoryProblem) {
                try AnsibleINI.checkGroupName(name)
            } catch {
                throw InventoryError(at: definition.origin, error.text)
            }
            let keys = definition.source.map { [name, "\($0):\(name)"] } ?? [name]
            for key in keys {
                if table[key] == nil {
                    table[key] = definition
                    order.append(key)
                } else if key.contains(":") || definition.source == nil {
                    throw InventoryError(
                        at: definition.origin, "group '\(key)' is defined twice (first at \(table[key]!.origin))")
                }
            }
        }
        var resolved: [String: [String]] = [:]
        func hosts(of key: String, path: [String]) throws(InventoryError) -> [String] {
            if let done = resolved[key] { return done }
            guard let definition = table[key] else { return [] }
            if path.contains(key) {
                throw InventoryError(
                    at: definition.origin, "groups refer to each other: @\((path + [key]).joined(separator: " → @"))")
            }
            let result = try evaluate(definition.expression, origin: definition.origin) {
                (reference) throws(InventoryError) -> [String] in
                let qualified = reference.contains(":") ? reference : definition.source.map { "\($0):\(reference)" }
                guard let target = [qualified, reference].compactMap({ $0 }).first(where: { table[$0] != nil }) else {
                    throw InventoryError(at: definition.origin, "@\(reference) is not a group of this file")
                }
                return try hosts(of: target, path: path + [key])
            }
            resolved[key] = result
            return result
        }
        var inventory = Inventory()
        for key in order {
            let origin = table[key]!.origin
            let names = try hosts(of: key, path: [])
            inventory.addGroup(key, origin: origin)
            for host in names {
                do throws(InventoryProblem) {
                    try AnsibleINI.checkHostName(host)
                } catch {
                    throw InventoryError(at: origin, error.text)
                }
                inventory.addHost(host, origin: origin)
                inventory.addHost(host, toGroup: key, origin: origin)
            }
        }
        return inventory
    }

    /// A node set expression, left to right.
    private func evaluate(
        _ expression: String, origin: String, group: (String) throws(InventoryError) -> [String]
    ) throws(InventoryError) -> [String] {
        var result: [String] = []
        var operation: Character = ","
        var operand = ""
        var depth = 0
        func apply() throws(InventoryError) {
            let text = operand.trimmingCharacters(in: .whitespaces)
            operand = ""
            if text.isEmpty {
                if operation == "," { return }
                throw InventoryError(at: origin, "'\(expression)': '\(operation)' needs a node set after it")
            }
            let names: [String]
            if text.hasPrefix("@") {
                names = try group(String(text.dropFirst()))
            } else {
                do {
                    names = try NodeSet.expand(text)
                } catch {
                    throw InventoryError(at: origin, "'\(text)': \(error)")
                }
            }
            let named = Set(names)
            switch operation {
            case "!": result.removeAll { named.contains($0) }
            case "&": result.removeAll { !named.contains($0) }
            case "^":
                let both = named.intersection(result)
                result = (result + names).filter { !both.contains($0) }
            default:
                let have = Set(result)
                result += names.filter { !have.contains($0) }
            }
            guard result.count <= NodeSet.maximumNames else {
                throw InventoryError(at: origin, "'\(expression)' makes more than \(NodeSet.maximumNames) names")
            }
        }
        for character in expression {
            if character == "[" { depth += 1 }
            if character == "]" { depth -= 1 }
            if depth == 0, ",!&^".contains(character) {
                try apply()
                operation = character
            } else {
                operand.append(character)
            }
        }
        try apply()
        return result
    }
}
