import Foundation

/// Per-host text, after pdsh's `%h`: `{host}` becomes each member's name.
///
/// One small grammar serves every place that takes it (a `run` command, a `script` argument, a `put` remote path,
/// a `fetch` local path): `{host}` is the member's name, `{{` and `}}` are a literal `{` and `}`, and every other
/// character, other braces included, stays as typed. So `awk '{print $1}'` needs no escaping; a `{{` or `}}` meant
/// literally (`awk '{if (x) {print}}'`) is written `} }` or doubled (`}}}}`), and `{{host}}` is the text `{host}`.
public enum HostTemplate {
    /// `template` for `host`: each `{host}` replaced by `transform(host)`, `{{`/`}}` by one brace.
    public static func expand(_ template: String, host: String, transform: (String) -> String = { $0 }) -> String {
        guard template.contains("{") || template.contains("}") else { return template }
        let name = transform(host)
        var result = ""
        var rest = Substring(template)
        while let character = rest.first {
            if rest.hasPrefix("{host}") {
                result += name
                rest = rest.dropFirst(6)
            } else if rest.hasPrefix("{{") || rest.hasPrefix("}}") {
                result.append(character)
                rest = rest.dropFirst(2)
            } else {
                result.append(character)
                rest = rest.dropFirst()
            }
        }
        return result
    }

    /// Whether `template` names the host: a `{host}` that is not the escaped `{{host}}`.
    public static func mentionsHost(_ template: String) -> Bool {
        expand(template, host: "\u{0}") != expand(template, host: "\u{1}")
    }

    /// `template` for a shell command line on `host`: the name is quoted for `sh` when it needs quoting
    /// (`shellQuote`), so `{host}` is written bare, not inside quotes.
    public static func command(_ template: String, host: String) -> String {
        expand(template, host: host, transform: shellQuote)
    }

    /// `template` as a path on or for `host`: the name becomes one harmless path component (no `/`, no `..`).
    public static func path(_ template: String, host: String) -> String {
        expand(template, host: host, transform: safeComponent)
    }

    /// Maps each host to its local path, or nil paths (temporary files) when there is no template: what a group
    /// fetch writes, each host's file apart from the others'.
    public static func paths(_ template: String?, hosts: [String]) throws -> [String: String] {
        guard let template else { return [:] }
        if hosts.count > 1 && !mentionsHost(template) {
            throw ErrorResult(
                "the local path '\(template)' must contain {host} so each host gets its own file", kind: .local)
        }
        var result: [String: String] = [:]
        var seen: [String: String] = [:]
        for host in hosts {
            let path = path(template, host: host)
            if let other = seen[path] {
                throw ErrorResult("hosts \(other) and \(host) would both write \(path)", kind: .local)
            }
            seen[path] = host
            result[host] = path
        }
        return result
    }

    /// A host name as one harmless path component: no '/', no '..', no leading '.', no control characters.
    static func safeComponent(_ host: String) -> String {
        var text = String(host.map { $0 == "/" || $0 == "\\" || $0.asciiValue.map { $0 < 0x20 } == true ? "_" : $0 })
        while text.hasPrefix(".") { text = "_" + text.dropFirst() }
        return text.isEmpty ? "_" : text
    }
}

/// The name `HostTemplate` had when only `fetch` used it.
public typealias FetchTemplate = HostTemplate
