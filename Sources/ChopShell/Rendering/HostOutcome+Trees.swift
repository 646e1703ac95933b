import Chopsticks
import Foundation

/// Tree results (`put -r`, `sync`, `fetch -r`, a glob) and single-file puts as the renderer shows them: one line per
/// host that hosts with the same changes share (`changed · 3 files: +app.conf ~nginx.conf -old.conf`,
/// `ok · unchanged`), the change list and file list for `show HOST`, and all of it as data for `--json`.
extension HostOutcome {
    /// `sync` and `put -r`: `changed` with the change list, `ok · unchanged`, or `failed` with the failures.
    static func tree(_ host: String, _ tree: TreeResult, copiesEveryFile: Bool) -> HostOutcome {
        var line: String
        if copiesEveryFile {
            line = "\(counted(tree.fileCount, "file")), \(Self.size(tree.byteCount))"
            if tree.unchanged > 0 { line += " (\(tree.unchanged) already there)" }
            if tree.changeCount == 0 && tree.fileCount == 0 { line = "unchanged" }
        } else if tree.changeCount == 0 {
            line = "unchanged"
        } else {
            line = Self.changeLine(tree)
        }
        if tree.dryRun && tree.changeCount > 0 { line = "dry run: would change " + line }
        if tree.skipped > 0 { line += " · \(tree.skipped) skipped (devices, fifos, sockets)" }
        return finished(
            HostOutcome(host: host, state: tree.changed ? .changed : .ok, output: line, value: json(tree)), tree)
    }

    /// `fetch -r` and globs: `42 files, 3.1 MiB → ./fetched/web1/app`.
    static func fetchedTree(_ host: String, _ tree: TreeResult) -> HostOutcome {
        var line = "\(counted(tree.fileCount, "file")), \(Self.size(tree.byteCount)) → \(tree.root)"
        if tree.skipped > 0 { line += " · \(tree.skipped) skipped (devices, fifos, sockets)" }
        return finished(HostOutcome(host: host, output: line, value: json(tree)), tree)
    }

    /// `outcome` with the tree's `show HOST` detail, and `failed` with the first failures when any file failed.
    private static func finished(_ outcome: HostOutcome, _ tree: TreeResult) -> HostOutcome {
        var outcome = outcome
        if tree.isFailure {
            outcome.state = .failed
            outcome.reason =
                "\(counted(tree.failureCount, "file")) failed: "
                + tree.failures.prefix(3).map { "\(TreePath.display($0.path)): \($0.message)" }.joined(separator: "; ")
        }
        outcome.detail = detail(tree)
        return outcome
    }

    /// `3 files: +app.conf ~nginx.conf -old.conf` (the first changes; the table cuts the rest to its width).
    static func changeLine(_ tree: TreeResult) -> String {
        let shown = tree.changes.prefix(20).map(\.text).joined(separator: " ")
        let more = tree.changeCount > 20 ? " …" : ""
        return "\(counted(tree.changeCount, "file")): \(shown)\(more)"
    }

    /// The change list and the files copied, one per line, for `show HOST`.
    static func detail(_ tree: TreeResult) -> String {
        var lines: [String] = []
        for change in tree.changes {
            lines.append(change.text + (change.what.isEmpty ? "" : " (\(change.what.joined(separator: ", ")))"))
        }
        if tree.changeCount > tree.changes.count {
            lines.append("… and \(tree.changeCount - tree.changes.count) more changes")
        }
        for file in tree.files { lines.append("\(TreePath.display(file.path))  \(file.size) bytes  sha1 \(file.sha1)") }
        if tree.fileCount > tree.files.count { lines.append("… and \(tree.fileCount - tree.files.count) more files") }
        for failure in tree.failures { lines.append("FAILED \(TreePath.display(failure.path)): \(failure.message)") }
        return lines.joined(separator: "\n")
    }

    /// Everything for `--json`: paths as text, with `path_base64` beside a path that is not UTF-8.
    static func json(_ tree: TreeResult) -> JSONValue {
        func path(_ bytes: [UInt8], into object: inout [String: JSONValue]) {
            object["path"] = .string(TreePath.display(bytes))
            if String(validating: bytes, as: UTF8.self) == nil {
                object["path_base64"] = .string(Data(bytes).base64EncodedString())
            }
        }
        let changes: [JSONValue] = tree.changes.map { change in
            var object: [String: JSONValue] = [
                "op": .string(change.sign.rawValue), "kind": .string(change.kind),
                "what": .array(change.what.map(JSONValue.string)),
            ]
            path(change.path, into: &object)
            return .object(object)
        }
        let files: [JSONValue] = tree.files.map { file in
            var object: [String: JSONValue] = ["size": .int(Int64(file.size)), "sha1sum": .string(file.sha1)]
            path(file.path, into: &object)
            return .object(object)
        }
        let failures: [JSONValue] = tree.failures.map { failure in
            var object: [String: JSONValue] = ["msg": .string(failure.message)]
            path(failure.path, into: &object)
            return .object(object)
        }
        return [
            "root": .string(tree.root), "changed": .bool(tree.changed), "dry_run": .bool(tree.dryRun),
            "changes": .array(changes), "change_count": .int(Int64(tree.changeCount)),
            "files": .array(files), "file_count": .int(Int64(tree.fileCount)),
            "bytes": .int(Int64(tree.byteCount)), "unchanged_files": .int(Int64(tree.unchanged)),
            "failures": .array(failures), "failure_count": .int(Int64(tree.failureCount)),
            "skipped": .int(Int64(tree.skipped)),
        ]
    }

    /// `3.1 MiB`, `512 bytes`.
    static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return counted(bytes, "byte") }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes) / 1024
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return ResultRenderer.fixed(value, decimals: 1) + " " + units[unit]
    }
}
