import Foundation
import Yams

/// Reads an inventory file in whichever format it is: told by the content, with the extension as a hint.
///
/// - `.ini`, or text whose first line is a `[section]` or a bare host: an Ansible INI inventory;
/// - `.yml`/`.yaml`, or indented text: YAML, an Ansible inventory (groups with `hosts`/`vars`/`children`) or a
///   ClusterShell `groups.d` file (source → {group: nodeset});
/// - lines that are all `name: nodeset`: a ClusterShell group file.
public enum InventoryLoader {
    public enum Format: String, Sendable {
        case ansibleINI = "Ansible INI"
        case ansibleYAML = "Ansible YAML"
        case clusterShell = "ClusterShell groups"
        case clusterShellYAML = "ClusterShell groups.d YAML"
    }

    /// The file parsed, not yet checked against what is loaded already (see `Inventory.validated()`).
    public static func load(_ path: String) throws(InventoryError) -> (Inventory, Format) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InventoryError(at: path, "no such file")
        }
        guard !isDirectory.boolValue else { throw InventoryError(at: path, "is a folder; name an inventory file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InventoryError(at: path, "cannot read it (permissions?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InventoryError(at: path, "is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(InventoryError) -> (Inventory, Format) {
        let lines = text.split(whereSeparator: \.isNewline).map(String.init).filter {
            let trimmed = $0.trimmingCharacters(in: .whitespaces)
            return !trimmed.isEmpty && !trimmed.hasPrefix("#") && !trimmed.hasPrefix(";") && trimmed != "---"
        }
        let suffix = (file as NSString).pathExtension.lowercased()
        let yaml: Bool
        switch suffix {
        case "ini": yaml = false
        case "yml", "yaml": yaml = true
        default:
            if let first = lines.first, first.hasPrefix("[") {
                yaml = false
            } else if !lines.isEmpty, lines.allSatisfy(isFlatGroupLine) {
                return (try ClusterShellGroups(file: file).parseFlat(text), .clusterShell)
            } else {
                // Indentation or a line ending in ':' is YAML; bare host lines are INI.
                yaml = lines.contains { $0.first == " " || $0.first == "\t" || $0.hasSuffix(":") || $0.hasPrefix("{") }
            }
        }
        guard yaml else { return (try AnsibleINI(file: file).parse(text), .ansibleINI) }
        guard let root = try YAMLText.compose(text, file: file) else { return (Inventory(), .ansibleYAML) }
        if isGroupsD(root) { return (try ClusterShellGroups(file: file).parseYAML(root), .clusterShellYAML) }
        return (try AnsibleYAML(file: file).parse(root), .ansibleYAML)
    }

    /// `name: nodeset`, not indented, with something after the colon.
    private static func isFlatGroupLine(_ line: String) -> Bool {
        guard let first = line.first, first != " ", first != "\t", let colon = line.firstIndex(of: ":") else {
            return false
        }
        let name = line[..<colon]
        let rest = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        return !name.isEmpty && !name.contains(" ") && !name.contains("[") && !rest.isEmpty && rest.first != "{"
    }

    /// A mapping of mappings whose values are all strings, none of them Ansible's `hosts`, `vars`, `children`.
    private static func isGroupsD(_ root: Yams.Node) -> Bool {
        guard let sources = root.mapping, !sources.isEmpty else { return false }
        var sawGroup = false
        for (_, value) in sources {
            guard let groups = value.mapping else { return false }
            for (key, body) in groups {
                if ["hosts", "vars", "children"].contains(key.string ?? "") { return false }
                guard body.scalar != nil, body.null == nil else { return false }
                sawGroup = true
            }
        }
        return sawGroup
    }
}
