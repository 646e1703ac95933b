import Chopsticks
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Turns a target as typed (`web1,web3`, `web*`, `db[1-3]`, `failed`, `all`) into member names.
///
/// Ranges expand first (ClusterShell style), then each item is a member name, a glob (`*`, `?`) or a
/// result set (`@ok`, `@failed`, `@all`). A target that names nobody is an error: an operation must never
/// silently run on zero hosts, or on everyone when the user meant a few.
public struct TargetResolver: Sendable {
    /// Members in group order.
    public var members: [String]
    /// Named result sets: "ok", "failed", "outliers" of the last operation, "match" and "nomatch" of the last
    /// `where`, "%N.ok" and the like of kept results.
    public var sets: [String: [String]]

    public init(members: [String], sets: [String: [String]] = [:]) {
        self.members = members
        self.sets = sets
    }

    /// Member names selected by `target`, in group order.
    public func resolve(_ target: String) throws(ShellError) -> [String] {
        try resolve([target])
    }

    /// The union of several targets (e.g. the arguments of `remove`), in group order.
    public func resolve(_ targets: [String]) throws(ShellError) -> [String] {
        var chosen: [String] = []
        for target in targets { chosen = SetOps.union(chosen, try evaluate(target), by: { $0 }) }
        let selected = Set(chosen)
        let names = members.filter { selected.contains($0) }
        // Never zero hosts in silence: `@all!all`, or a set that is empty now, says so.
        if names.isEmpty, !targets.isEmpty {
            let shown = targets.map { $0.hasPrefix("@") ? $0 : "@" + $0 }.joined(separator: " ")
            throw ShellError("'\(shown)' selects no host", kind: .target)
        }
        return names
    }

    /// The operators of ClusterShell's node sets, between operands: union, intersection, difference, symmetric
    /// difference. Evaluated left to right: `web*&@ok!web3` is (web* & ok) ! web3.
    static let operators: [Character: String] = [",": "union", "&": "intersection", "!": "difference", "^": "xor"]

    /// One target with its algebra: `@web*&@ok`, `@all!@failed`, `db[1-3],web1^@%2.failed`.
    func evaluate(_ target: String) throws(ShellError) -> [String] {
        let text = target.hasPrefix("@") ? String(target.dropFirst()) : target
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ShellError("empty target: name hosts, e.g. @web1,web2 or @web* or @failed", kind: .target)
        }
        var result: [String] = []
        for (index, (op, operand)) in try Self.split(text, target: target).enumerated() {
            let names = try operandNames(operand, target: target)
            switch op {
            case "&": result = SetOps.intersection(result, names, by: { $0 })
            case "!": result = SetOps.subtracting(result, names, by: { $0 })
            case "^": result = SetOps.symmetricDifference(result, names, by: { $0 })
            default: result = index == 0 ? names : SetOps.union(result, names, by: { $0 })
            }
        }
        return result
    }

    /// Splits at operators outside brackets: `(nil, first)`, then `(op, operand)` for each one after.
    static func split(_ text: String, target: String) throws(ShellError) -> [(Character?, String)] {
        var parts: [(Character?, String)] = []
        var op: Character?
        var current = ""
        var depth = 0
        func finish(_ next: Character?) throws(ShellError) {
            guard !current.trimmingCharacters(in: .whitespaces).isEmpty else {
                let place =
                    switch (op, next) {
                    case (nil, let next?): "nothing before '\(next)'"
                    case (let op?, nil): "nothing after '\(op)'"
                    case (let op?, let next?): "nothing between '\(op)' and '\(next)'"
                    case (nil, nil): "nothing"
                    }
                throw ShellError("bad target '\(target)': \(place)", kind: .target)
            }
            parts.append((op, current.trimmingCharacters(in: .whitespaces)))
            current = ""
            op = next
        }
        for character in text {
            if character == "[" { depth += 1 }
            if character == "]" { depth -= 1 }
            if depth == 0, operators[character] != nil {
                try finish(character)
            } else {
                current.append(character)
            }
        }
        try finish(nil)
        return parts
    }

    /// The members one operand names: a pattern of names, globs, result sets and `@all`.
    private func operandNames(_ operand: String, target: String) throws(ShellError) -> [String] {
        let text = operand.hasPrefix("@") ? String(operand.dropFirst()) : operand
        guard !text.isEmpty else {
            throw ShellError("bad target '\(target)': '\(operand)' names nothing", kind: .target)
        }
        let items: [String]
        do {
            items = try NodeSet.expand(text)
        } catch {
            throw ShellError("bad target '\(target)': \(error)", kind: .target)
        }
        var chosen: [String] = []
        for item in items {
            let name = item.hasPrefix("@") ? String(item.dropFirst()) : item
            if name == "all" {
                chosen = SetOps.union(chosen, members, by: { $0 })
            } else if let set = sets[name], !members.contains(name) {
                chosen = SetOps.union(chosen, set, by: { $0 })
            } else if name.contains("*") || name.contains("?") {
                let matches = members.filter { fnmatch(name, $0, 0) == 0 }
                if matches.isEmpty {
                    throw ShellError("'\(name)' matches no member; 'hosts' lists them", kind: .target)
                }
                chosen = SetOps.union(chosen, matches, by: { $0 })
            } else if members.contains(name) {
                chosen = SetOps.union(chosen, [name], by: { $0 })
            } else if let set = ResultSet(rawValue: name), ResultSet.everyResult.contains(set) {
                throw ShellError("@\(name) is empty until an operation has run", kind: .target)
            } else if let set = ResultSet(rawValue: name), ResultSet.whereOnly.contains(set) {
                throw ShellError(
                    "@\(name) is empty until a where has run, e.g. where os.path.exists('/etc/nginx')", kind: .target)
            } else if name.hasPrefix("%") {
                throw ShellError(
                    "no result set @\(name); use @%N.ok, @%N.failed or @%N.outliers of a kept result "
                        + "(@%N.match and @%N.nomatch of a where)", kind: .target)
            } else {
                throw ShellError("no member named '\(name)'; 'hosts' lists them, 'add \(name)' adds it", kind: .target)
            }
        }
        return chosen
    }
}
