import Foundation

/// Local paths for a group fetch: `{host}` in the template is replaced by each host's name, made safe so
/// no host name can move the file out of the template's folder.
public enum FetchTemplate {
    /// Maps each host to its local path, or nil paths (temporary files) when there is no template.
    public static func paths(_ template: String?, hosts: [String]) throws -> [String: String] {
        guard let template else { return [:] }
        if hosts.count > 1 && !template.contains("{host}") {
            throw ErrorResult(
                "the local path '\(template)' must contain {host} so each host gets its own file", kind: .local)
        }
        var result: [String: String] = [:]
        var seen: [String: String] = [:]
        for host in hosts {
            let path = template.replacingOccurrences(of: "{host}", with: safeComponent(host))
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
