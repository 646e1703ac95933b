import Foundation

/// The outcome of `put -r`, `sync` and `fetch -r` (or a glob) on one host: what changed, what was copied, and
/// which entries failed (the rest arrived; a host never sees half a file).
///
/// Lists keep their first `TreeResult.listLimit` items, so a 100,000-file tree costs the controller the same
/// memory per host as a small one; the counts and `changeDigest` (a SHA-1 over every change, in order) cover
/// them all, so two hosts with the same changes compare equal however long the list.
public struct TreeResult: OperationValue, Hashable {
    /// One entry that differs between the two sides.
    public struct Change: Sendable, Hashable {
        public enum Sign: String, Sendable, Hashable {
            case added = "+"
            case changed = "~"
            case removed = "-"
        }
        public var sign: Sign
        public var path: [UInt8]
        /// "f", "d", "l" (or "o" for something else, when removed).
        public var kind: String
        /// For a change: "content", "mode", "link".
        public var what: [String]

        public init(sign: Sign, path: [UInt8], kind: String, what: [String] = []) {
            (self.sign, self.path, self.kind, self.what) = (sign, path, kind, what)
        }

        /// `+app.conf`, `~nginx.conf`, `-old.conf` (a folder ends in `/`).
        public var text: String {
            sign.rawValue + TreePath.display(path) + (kind == "d" ? "/" : "")
        }
    }

    /// A file copied, with what was checked.
    public struct File: Sendable, Hashable {
        public var path: [UInt8]
        public var size: Int
        public var sha1: String
    }

    /// An entry that could not be copied, and why.
    public struct Failure: Sendable, Hashable {
        public var path: [UInt8]
        public var message: String
    }

    public static let listLimit = 1000

    /// The remote folder (put -r, sync) or the local one (fetch -r).
    public var root: String
    public var changes: [Change] = []
    public var changeCount = 0
    public var changeDigest = ""
    public var files: [File] = []
    public var fileCount = 0
    public var byteCount = 0
    /// Files sent that the host had already, byte for byte (put -r).
    public var unchanged = 0
    public var failures: [Failure] = []
    public var failureCount = 0
    /// Devices, fifos and sockets left out.
    public var skipped = 0
    /// Nothing was touched: the changes are what would be done.
    public var dryRun = false

    public init(root: String) { self.root = root }

    /// Some entry failed: the host counts as failed, and its row lists the failures.
    public var isFailure: Bool { failureCount > 0 }

    /// Something was (or, in a dry run, would be) written or removed.
    public var changed: Bool { changeCount > 0 || fileCount > unchanged && !dryRun }

    mutating func add(_ change: Change) {
        changeCount += 1
        if changes.count < Self.listLimit { changes.append(change) }
    }

    mutating func add(_ file: File) {
        fileCount += 1
        byteCount += file.size
        if files.count < Self.listLimit { files.append(file) }
    }

    mutating func addFailure(_ path: [UInt8], _ message: String) {
        failureCount += 1
        if failures.count < Self.listLimit { failures.append(Failure(path: path, message: message)) }
    }
}
