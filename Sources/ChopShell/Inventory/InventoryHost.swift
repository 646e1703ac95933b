/// How chop reaches one inventory host, from the Ansible variables it knows (the others are kept and ignored).
public struct InventoryHost: Sendable, Equatable {
    /// The member name: the host's name in the inventory.
    public var name: String
    /// What ssh connects to (`ansible_host`, else the name).
    public var address: String
    public var port: Int?
    public var user: String?
    public var python: String?
    /// `ansible_become`: the agent runs through sudo, as `becomeUser` (`ansible_become_user`, root by default).
    public var become: Bool
    public var becomeUser: String
    /// Jump hosts, first hop first: `chop_via`, else a ProxyJump in `ansible_ssh_common_args`.
    public var via: [String]
    /// `chop_gateway`: members (a node set) whose agents reach this host (`add --gateway`); nil: chop does.
    public var gateway: String?
    /// Variables chop needs whose winning value is a Jinja template it cannot evaluate, with that value: `add`
    /// refuses the host rather than reach another machine, as another user or through no jump host.
    /// (`ansible_python_interpreter` is not among them: chop finds a Python by itself.)
    public var unresolved: [String: String]

    init(name: String, vars allVars: [String: String]) {
        self.name = name
        // A template is left unset, as if not written; the ones whose value decides the connection are noted.
        let vars = allVars.filter { !InventoryVars.isTemplate($0.value) }
        unresolved = allVars.filter { InventoryVars.isTemplate($0.value) && InventoryVars.needed.contains($0.key) }
        address = vars["ansible_host"] ?? vars["ansible_ssh_host"] ?? name
        port = (vars["ansible_port"] ?? vars["ansible_ssh_port"]).flatMap { Int($0) }
        user = vars["ansible_user"] ?? vars["ansible_ssh_user"]
        python = vars["ansible_python_interpreter"]
        become = vars["ansible_become"].flatMap(InventoryVars.bool) ?? false
        becomeUser = vars["ansible_become_user"] ?? "root"
        gateway = vars["chop_gateway"]
        if let via = vars["chop_via"] {
            self.via = InventoryVars.hops(via)
        } else if let args = vars["ansible_ssh_common_args"] {
            self.via = (try? InventoryVars.proxyJump(inCommonArgs: args)).flatMap { $0 }.map(InventoryVars.hops) ?? []
        } else {
            self.via = []
        }
    }
}

/// Checks of the variables chop uses, made where they are written so that a bad value is a `FILE:LINE` error.
enum InventoryVars {
    /// The variables chop reads.
    static let used: Set<String> = [
        "ansible_host", "ansible_ssh_host", "ansible_port", "ansible_ssh_port", "ansible_user", "ansible_ssh_user",
        "ansible_python_interpreter", "ansible_become", "ansible_become_user", "chop_via", "ansible_ssh_common_args",
        "chop_gateway",
    ]

    /// The variables whose value decides which machine is reached and how: a template among them cannot be
    /// left unset.
    static let needed = used.subtracting(["ansible_python_interpreter"])

    /// Whether Ansible would render `value` with Jinja (`{{ … }}`, `{% … %}`, `{# … #}`): chop does not, so the
    /// variable is left unset with a warning.
    static func isTemplate(_ value: String) -> Bool {
        value.contains("{{") || value.contains("{%") || value.contains("{#")
    }

    /// The warning for a template value: once, where it is written.
    static func templateWarning(_ key: String, _ value: String, at origin: String) -> String {
        "\(origin): \(key) is a Jinja template ('\(value)'), which chop does not evaluate: it is left unset "
            + "(add refuses a host that needs it)"
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1", "y", "t": true
        case "false", "no", "off", "0", "n", "f": false
        default: nil
        }
    }

    /// `a,b` (spaces allowed around the commas) as hops.
    static func hops(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A word ssh takes as a name or a path: not empty, no spaces or control characters, no leading '-'.
    static func checkWord(_ value: String, _ what: String) throws(InventoryProblem) {
        if value.isEmpty { throw InventoryProblem("\(what) is empty") }
        if TextChecks.hasSpaceOrControl(value) {
            throw InventoryProblem("\(what) '\(value)' contains spaces or control characters")
        }
        if value.hasPrefix("-") { throw InventoryProblem("\(what) '\(value)' cannot start with '-'") }
    }

    /// Checks a jump-host list: `[user@]host[:port]`, comma-separated.
    static func checkHops(_ value: String, _ what: String) throws(InventoryProblem) {
        let hops = hops(value)
        if hops.isEmpty { throw InventoryProblem("\(what) names no jump host") }
        for hop in hops { try checkWord(hop, "\(what) hop") }
    }

    /// Checks the value of a variable chop uses; the others pass as they are.
    static func check(_ key: String, _ value: String) throws(InventoryProblem) {
        if isTemplate(value) { return }
        switch key {
        case "ansible_port", "ansible_ssh_port":
            guard let port = Int(value), (1...65535).contains(port) else {
                throw InventoryProblem("\(key) must be a port number (1-65535), not '\(value)'")
            }
        case "ansible_host", "ansible_ssh_host", "ansible_user", "ansible_ssh_user", "ansible_become_user",
            "ansible_python_interpreter", "chop_gateway":
            try checkWord(value, key)
        case "ansible_become":
            guard bool(value) != nil else {
                throw InventoryProblem("ansible_become must be true or false, not '\(value)'")
            }
        case "chop_via":
            try checkHops(value, key)
        case "ansible_ssh_common_args":
            if let jump = try proxyJump(inCommonArgs: value) { try checkHops(jump, "ProxyJump in \(key)") }
        default:
            break
        }
    }

    /// The ProxyJump in `ansible_ssh_common_args` (`-J HOST`, `-JHOST`, `-o ProxyJump=HOST`, `-o 'ProxyJump HOST'`);
    /// nil when it has none. Other ssh arguments are not used.
    static func proxyJump(inCommonArgs args: String) throws(InventoryProblem) -> String? {
        let words = try shellWords(args)
        var index = 0
        var jump: String?
        while index < words.count {
            let word = words[index]
            index += 1
            var option: String?
            if word == "-J" || word == "-o" {
                guard index < words.count else {
                    throw InventoryProblem("ansible_ssh_common_args: \(word) needs a value")
                }
                option = word == "-J" ? "ProxyJump=" + words[index] : words[index]
                index += 1
            } else if word.hasPrefix("-J") {
                option = "ProxyJump=" + word.dropFirst(2)
            } else if word.hasPrefix("-o") {
                option = String(word.dropFirst(2))
            }
            guard let option else { continue }
            let parts = option.split(maxSplits: 1, whereSeparator: { $0 == "=" || $0 == " " })
            if parts.count == 2, parts[0].lowercased() == "proxyjump", jump == nil {
                jump = parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return jump
    }

    /// Splits like a POSIX shell: words, '…' and "…" quotes, backslash escapes; `#` at a word's start ends the
    /// line when `comments`.
    static func shellWords(_ text: String, comments: Bool = false) throws(InventoryProblem) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in text {
            if escaped {
                current.append(character)
                escaped = false
            } else if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
            } else if character == "\\" {
                escaped = true
                inWord = true
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " || character == "\t" {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else if character == "#" && comments && !inWord {
                break
            } else {
                current.append(character)
                inWord = true
            }
        }
        if quote != nil { throw InventoryProblem("a quote is not closed") }
        if inWord { words.append(current) }
        return words
    }
}

/// A problem in one value or line, before it is given its `FILE:LINE`.
struct InventoryProblem: Error {
    var text: String
    init(_ text: String) { self.text = text }
}
