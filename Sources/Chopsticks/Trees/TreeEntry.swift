import Foundation

/// One entry of a directory tree (a file, folder or symlink), named by its path relative to the tree's root.
///
/// Paths are bytes, not strings: Linux names may hold any byte but `/` and NUL (newlines, Latin-1 names), and a
/// copy must arrive under exactly the name it had. On the wire a path is a JSON string with its bytes in base64
/// beside it when they are not UTF-8 (`"p"` and `"b"`; PROTOCOL.txt, tree_put).
public struct TreeEntry: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case file = "f"
        case directory = "d"
        case symlink = "l"
    }

    /// Relative to the root, `/`-separated; empty for the root itself.
    public var path: [UInt8]
    public var kind: Kind
    /// Permission bits (`st_mode & 0o7777`).
    public var mode: Int
    /// Modification time in nanoseconds since the epoch.
    public var mtime: Int64
    public var size: Int
    /// A symlink's target, as stored in the link.
    public var link: [UInt8]?
    /// The file's SHA-1, when it was asked for (`sync --checksum`).
    public var sha1: String?

    public init(
        path: [UInt8], kind: Kind, mode: Int, mtime: Int64 = 0, size: Int = 0, link: [UInt8]? = nil,
        sha1: String? = nil
    ) {
        (self.path, self.kind, self.mode, self.mtime, self.size, self.link, self.sha1) =
            (path, kind, mode, mtime, size, link, sha1)
    }

    /// The path as a person reads it (bytes that are not UTF-8 shown as U+FFFD).
    public var displayPath: String { TreePath.display(path) }

    /// The entry's path as tree_put's listing carries it (its text: the N frame's `p` column), and what else it
    /// needs on the wire (the path's bytes when they are not UTF-8, a link's target, a SHA-1: the frame's `x`).
    var wire: (path: JSONValue, extras: [String: JSONValue]) {
        var extras: [String: JSONValue] = [:]
        TreePath.put(path, into: &extras, key: "p", rawKey: "b")
        let text = extras.removeValue(forKey: "p") ?? ""
        if let link { TreePath.put(link, into: &extras, key: "l", rawKey: "lb") }
        if let sha1 { extras["h"] = .string(sha1) }
        return (text, extras)
    }
}

/// Byte paths on the wire and on screen.
public enum TreePath {
    /// `bytes` as text, for display only.
    public static func display(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Sets `object[key]` to the path's text, and `object[rawKey]` to its bytes in base64 when they are not UTF-8.
    static func put(_ bytes: [UInt8], into object: inout [String: JSONValue], key: String, rawKey: String) {
        if let text = String(validating: bytes, as: UTF8.self) {
            object[key] = .string(text)
        } else {
            object[key] = .string(display(bytes))
            object[rawKey] = .string(Data(bytes).base64EncodedString())
        }
    }

    /// The path an agent's record names: its base64 bytes when given, else its text.
    static func read(_ object: JSONValue, key: String = "p", rawKey: String = "b") -> [UInt8]? {
        if case .string(let raw)? = object[rawKey], let data = Data(base64Encoded: raw) { return Array(data) }
        if case .string(let text)? = object[key] { return Array(text.utf8) }
        return nil
    }

    /// True when `path` (relative) stays inside its tree: not absolute, no `..`, no NUL, no empty component.
    static func isContained(_ path: [UInt8]) -> Bool {
        if path.isEmpty { return true }
        if path.first == UInt8(ascii: "/") || path.contains(0) { return false }
        return path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && !(part.count == 2 && part.allSatisfy { $0 == UInt8(ascii: ".") })
                && !(part.count == 1 && part[part.startIndex] == UInt8(ascii: "."))
        }
    }

    /// True when a symlink at `path` pointing to `target` stays inside the tree: a relative target whose `..`
    /// never climb above the root.
    static func linkStaysInside(_ path: [UInt8], target: [UInt8]) -> Bool {
        guard !target.isEmpty, target.first != UInt8(ascii: "/"), !target.contains(0) else { return false }
        var depth = path.split(separator: UInt8(ascii: "/")).count - 1
        for part in target.split(separator: UInt8(ascii: "/")) {
            if part.count == 2 && part.allSatisfy({ $0 == UInt8(ascii: ".") }) {
                depth -= 1
                if depth < 0 { return false }
            } else if !(part.count == 1 && part[part.startIndex] == UInt8(ascii: ".")) {
                depth += 1
            }
        }
        return true
    }

    /// `root/path` (the root when `path` is empty).
    static func join(_ root: [UInt8], _ path: [UInt8]) -> [UInt8] {
        path.isEmpty ? root : root + [UInt8(ascii: "/")] + path
    }
}
