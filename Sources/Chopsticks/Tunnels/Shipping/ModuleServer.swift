import Foundation

/// Answers an agent's `want` from the shipped roots: a module's source, or a data file of a shipped package.
///
/// Nothing outside the roots is ever read: names must be identifiers under a root, data paths may not climb
/// out of their package (`..`, symlinks), and the answer says no rather than explaining the local disk.
/// A host is untrusted, so it gets only what Python would import and package data below a size: never a
/// dotfile or anything in a dot-folder (`pkg/.env`, `pkg/.git/config`), even through a symlink.
enum ModuleServer {
    /// Data files larger than this are refused (a frame carries at most 16 MiB, base64 grows a third).
    static let maxDataBytes = 10 * 1024 * 1024

    static func answer(_ query: JSONValue, roots: [String: ShippedRoot]) -> JSONValue {
        if case .string(let name)? = query["module"] { return module(name, roots) }
        if case .string(let path)? = query["data"] { return data(path, roots) }
        return refused("chop: a want names a module or a data file")
    }

    /// The source of module `name` (`mypkg.sub.mod`), when it lies under a shipped root.
    static func module(_ name: String, _ roots: [String: ShippedRoot]) -> JSONValue {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy(ShippedRoot.isIdentifier), let root = roots[parts[0]] else {
            return refused("chop does not ship \(name)")
        }
        let candidates: [(file: String, relative: String, package: Bool)]
        if !root.isPackage {
            guard parts.count == 1 else { return refused("\(root.name) is a module, not a package") }
            candidates = [(root.path, "\(root.name).py", false)]
        } else {
            let inner = parts.dropFirst().joined(separator: "/")
            let base = inner.isEmpty ? root.path : root.path + "/" + inner
            let relative = inner.isEmpty ? root.name : root.name + "/" + inner
            candidates = [
                (base + "/__init__.py", relative + "/__init__.py", true), (base + ".py", relative + ".py", false),
            ]
        }
        for candidate in candidates where inside(candidate.file, root) {
            guard let bytes = FileManager.default.contents(atPath: candidate.file) else { continue }
            return [
                "found": true, "package": .bool(candidate.package), "file": .string(candidate.relative),
                "source": .string(bytes.base64EncodedString()),
            ]
        }
        return refused("chop has no module \(name) under \(root.path)")
    }

    /// A data file (`mypkg/data/x.json`) of a shipped package.
    static func data(_ path: String, _ roots: [String: ShippedRoot]) -> JSONValue {
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 2, let root = roots[parts[0]], root.isPackage,
            !parts.contains(where: { $0.hasPrefix(".") || $0.isEmpty })
        else { return refused("chop does not ship \(path)") }
        let file = root.path + "/" + parts.dropFirst().joined(separator: "/")
        var isDirectory: ObjCBool = false
        guard inside(file, root), FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory),
            !isDirectory.boolValue
        else { return refused("chop has no file \(path)") }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        guard size <= maxDataBytes, let bytes = FileManager.default.contents(atPath: file) else {
            return refused("\(path) is larger than \(maxDataBytes / 1_048_576) MiB or unreadable")
        }
        return ["found": true, "data": .string(bytes.base64EncodedString())]
    }

    /// Whether `file`, symlinks resolved, is the root's own file or lies under its directory, and not in a
    /// dot-folder or a dotfile there (a secret such as `.env` beside the code, or a link to one).
    private static func inside(_ file: String, _ root: ShippedRoot) -> Bool {
        let real = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
        let base = URL(fileURLWithPath: root.path).resolvingSymlinksInPath().path
        guard root.isPackage else { return real == base }
        guard real.hasPrefix(base + "/") else { return false }
        return !real.dropFirst(base.count + 1).split(separator: "/").contains { $0.hasPrefix(".") }
    }

    private static func refused(_ message: String) -> JSONValue {
        ["found": false, "msg": .string(message)]
    }
}
