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
        var chosen = Set<String>()
        for target in targets {
            let text = target.hasPrefix("@") ? String(target.dropFirst()) : target
            if text.isEmpty { throw ShellError("empty target: name hosts, e.g. @web1,web2 or @web* or @failed") }
            let items: [String]
            do {
                items = try NodeSet.expand(text)
            } catch {
                throw ShellError("bad target '\(target)': \(error)")
            }
            if items.isEmpty { throw ShellError("empty target: name hosts, e.g. @web1,web2 or @web* or @failed") }
            for item in items {
                let name = item.hasPrefix("@") ? String(item.dropFirst()) : item
                if name == "all" {
                    chosen.formUnion(members)
                } else if let set = sets[name], !members.contains(name) {
                    chosen.formUnion(set)
                } else if name.contains("*") || name.contains("?") {
                    let matches = members.filter { fnmatch(name, $0, 0) == 0 }
                    if matches.isEmpty { throw ShellError("'\(name)' matches no member; 'hosts' lists them") }
                    chosen.formUnion(matches)
                } else if members.contains(name) {
                    chosen.insert(name)
                } else if name == "ok" || name == "failed" || name == "outliers" {
                    throw ShellError("@\(name) is empty until an operation has run")
                } else if name == "match" || name == "nomatch" {
                    throw ShellError("@\(name) is empty until a where has run, e.g. where os.path.exists('/etc/nginx')")
                } else if name.hasPrefix("%") {
                    throw ShellError(
                        "no result set @\(name); use @%N.ok, @%N.failed or @%N.outliers of a kept result "
                            + "(@%N.match and @%N.nomatch of a where)")
                } else {
                    throw ShellError("no member named '\(name)'; 'hosts' lists them, 'add \(name)' adds it")
                }
            }
        }
        return members.filter { chosen.contains($0) }
    }
}
