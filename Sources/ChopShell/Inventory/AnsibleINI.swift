/// Ansible's INI inventory: host lines (`name [key=value]...`, ranges, `name:port`), `[group]`,
/// `[group:vars]` and `[group:children]` sections, `#` and `;` comments. Read as Ansible's `ini` plugin does:
/// a line is a section only when it is one whole `[name]` or `[name:kind]` (`[1:2].host` is a host line), every
/// group named in `:vars` or `:children` needs its own `[group]` or `[group:children]` section, and a Jinja
/// value is left unset with a warning.
struct AnsibleINI {
    let file: String

    func parse(_ text: String) throws(InventoryError) -> Inventory {
        var inventory = Inventory()
        var group = "ungrouped"
        var section = Section.hosts
        var declared: Set<String> = ["all", "ungrouped"]
        var varsSections: [(group: String, origin: String)] = []
        var childLines: [(child: String, parent: String, origin: String)] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let origin = "\(file):\(index + 1)"
            let line = rawLine.trimmingCharacters(in: .whitespaces.union(.init(charactersIn: "\r")))
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            do throws(InventoryProblem) {
                if Self.isHeader(line) {
                    (group, section) = try Self.header(line)
                    switch section {
                    case .hosts, .children:
                        declared.insert(group)
                        inventory.addGroup(group, origin: origin)
                    case .vars:
                        varsSections.append((group, origin))
                    }
                    continue
                }
                switch section {
                case .hosts:
                    let words = try InventoryVars.shellWords(line, comments: true)
                    guard let pattern = words.first else { continue }
                    var vars: [String: String] = [:]
                    for word in words.dropFirst() {
                        let (key, value) = try Self.keyValue(word, host: true)
                        try note(key, value, at: origin, in: &inventory)
                        vars[key] = value
                    }
                    let (names, port) = try Self.hostPattern(pattern)
                    if let port, vars["ansible_port"] == nil { vars["ansible_port"] = String(port) }
                    for name in names {
                        inventory.addHost(name, origin: origin, vars: vars)
                        inventory.addHost(name, toGroup: group, origin: origin)
                    }
                case .vars:
                    let (key, value) = try Self.keyValue(line, host: false)
                    try note(key, value, at: origin, in: &inventory)
                    inventory.setGroupVars([key: value], group: group, origin: origin)
                case .children:
                    let words = try InventoryVars.shellWords(line, comments: true)
                    guard words.count == 1 else {
                        throw InventoryProblem("a [\(group):children] line names one group, not '\(line)'")
                    }
                    try Self.checkGroupName(words[0])
                    childLines.append((words[0], group, origin))
                    inventory.addChild(words[0], toGroup: group, origin: origin)
                }
            } catch {
                throw InventoryError(at: origin, error.text)
            }
        }
        for (child, parent, origin) in childLines where !declared.contains(child) {
            throw InventoryError(
                at: origin,
                "[\(parent):children] names group '\(child)', which is not defined: add a [\(child)] section")
        }
        for (name, origin) in varsSections where !declared.contains(name) {
            throw InventoryError(at: origin, "[\(name):vars] is for a group that is not defined: add [\(name)]")
        }
        return inventory
    }

    /// Checks a value chop uses; a Jinja template passes, with a warning, and is left unset when used.
    private func note(_ key: String, _ value: String, at origin: String, in inventory: inout Inventory)
        throws(InventoryProblem)
    {
        if InventoryVars.isTemplate(value) {
            inventory.warnings.append(InventoryVars.templateWarning(key, value, at: origin))
        }
        try InventoryVars.check(key, value)
    }

    /// Whether a line is a section header as Ansible's pattern `^\[([^:\]\s]+)(?::(\w+))?\]\s*(#.*)?$` says, or
    /// looks like one (`[a b]`, an error in `header`); anything else, `[1:2].host` included, is a host line.
    static func isHeader(_ line: String) -> Bool {
        guard line.hasPrefix("[") else { return false }
        var text = Substring(line)
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        return text.trimmingCharacters(in: .whitespaces).hasSuffix("]")
    }

    /// `[name]`, `[name:vars]` or `[name:children]` (a `#` comment may follow).
    private static func header(_ line: String) throws(InventoryProblem) -> (String, Section) {
        var text = Substring(line)
        if let hash = text.firstIndex(of: "#") { text = text[..<hash] }
        text = Substring(text.trimmingCharacters(in: .whitespaces))
        guard text.hasPrefix("["), text.hasSuffix("]"), text.count > 2 else {
            throw InventoryProblem("a section header is [group], [group:vars] or [group:children], not '\(line)'")
        }
        let inner = text.dropFirst().dropLast()
        let parts = inner.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        try checkGroupName(parts[0])
        guard parts.count == 2 else { return (parts[0], .hosts) }
        switch parts[1] {
        case "vars": return (parts[0], .vars)
        case "children": return (parts[0], .children)
        default:
            throw InventoryProblem("unknown section kind ':\(parts[1])' (use :vars or :children)")
        }
    }

    private enum Section { case hosts, vars, children }

    static func checkGroupName(_ name: String) throws(InventoryProblem) {
        guard !name.isEmpty, !name.hasPrefix("-"), !name.hasPrefix("@"),
            name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." })
        else {
            throw InventoryProblem("'\(name)' is not a group name (letters, digits, '_', '-' and '.')")
        }
    }

    /// `key=value`; a value in quotes loses them.
    private static func keyValue(_ text: String, host: Bool) throws(InventoryProblem) -> (String, String) {
        guard let equals = text.firstIndex(of: "="), equals != text.startIndex else {
            throw InventoryProblem(
                host ? "expected key=value after the host name, not '\(text)'" : "expected key=value, not '\(text)'")
        }
        let key = text[..<equals].trimmingCharacters(in: .whitespaces)
        var value = text[text.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        if !host, value.count >= 2, let first = value.first, first == "'" || first == "\"", value.last == first {
            value = String(value.dropFirst().dropLast())
        }
        guard !key.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw InventoryProblem("'\(key)' is not a variable name")
        }
        return (key, value)
    }

    /// A host pattern with ranges and an optional `:port`.
    static func hostPattern(_ pattern: String) throws(InventoryProblem) -> ([String], Int?) {
        var text = pattern
        var port: Int?
        // A port follows the last ':' outside the range brackets (IPv6 addresses have several colons: no port).
        let outside = text.lastIndex(of: "]").map { text.index(after: $0) } ?? text.startIndex
        if !text[outside...].contains("["), text[outside...].filter({ $0 == ":" }).count == 1,
            let colon = text[outside...].firstIndex(of: ":")
        {
            let digits = text[text.index(after: colon)...]
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(digits),
                (1...65535).contains(number)
            else {
                throw InventoryProblem("'\(pattern)': the part after ':' must be a port number (1-65535)")
            }
            port = number
            text = String(text[..<colon])
        }
        let names = try AnsibleRange.expand(text)
        for name in names { try checkHostName(name) }
        return (names, port)
    }

    static func checkHostName(_ name: String) throws(InventoryProblem) {
        if name.isEmpty { throw InventoryProblem("a host name is empty") }
        if TextChecks.hasSpaceOrControl(name) {
            throw InventoryProblem("'\(name)': host names cannot contain spaces or control characters")
        }
        if name.hasPrefix("-") || name.hasPrefix("@") {
            throw InventoryProblem("'\(name)': host names cannot start with '-' or '@'")
        }
        if name.contains("*") || name.contains("?") || name.contains(",") {
            throw InventoryProblem("'\(name)': host names cannot contain '*', '?' or ','")
        }
    }
}
