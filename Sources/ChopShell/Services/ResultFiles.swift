import Chopsticks
import Foundation

/// `save %N DIR` and `set save-dir`: a result's output as files to grep later, as pssh's `--outdir`/`--errdir`.
enum ResultFiles {
    /// Writes each host's whole stdout and stderr of `report` to `FOLDER/HOST.out` and `FOLDER/HOST.err`, and
    /// the `--json` document to `FOLDER/result.json`, each mode 0600 through `ReplacingFile` (a symlink planted
    /// at a name is replaced, not followed). A spilled stream is copied from its file, so nothing is cut at
    /// `keep-bytes`; bytes that are not UTF-8 are written as the host sent them. FOLDER is made (0700) if needed.
    /// `renderer` writes the JSON document, as `--json` would show it.
    static func save(_ report: OperationReport, to folder: String, renderer: ResultRenderer) throws(ShellError) {
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ShellError("cannot make folder \(folder): \(Self.reason(error)); give a folder you can write in")
        }
        do {
            for outcome in report.outcomes {
                let base = "\(folder)/\(Self.fileName(outcome.host))"
                try Self.write(
                    "\(base).out", spilled: outcome.spilled?.stdout,
                    else: outcome.rawOutput ?? Data(outcome.output.utf8))
                try Self.write(
                    "\(base).err", spilled: outcome.spilled?.stderr,
                    else: outcome.rawErrorOutput ?? Data(outcome.errorOutput.utf8))
            }
            try Self.write("\(folder)/result.json", spilled: nil, else: Data((renderer.json(report) + "\n").utf8))
        } catch {
            throw ShellError(error.msg)
        }
    }

    /// A host name as a file name: a `/` (possible in a container's name) would name a folder.
    static func fileName(_ host: String) -> String {
        host.replacingOccurrences(of: "/", with: "%2F")
    }

    /// One file: the spill file's bytes copied in pieces (it may be as large as `spill-max`), else `bytes`.
    private static func write(_ path: String, spilled: String?, else bytes: Data) throws(ErrorResult) {
        let file = try ReplacingFile(path)
        defer { file.close() }
        if let spilled {
            guard let source = FileHandle(forReadingAtPath: spilled) else {
                throw ErrorResult("cannot read \(spilled), the spilled output: it is gone", kind: .local)
            }
            defer { try? source.close() }
            while true {
                let piece: Data
                do {
                    piece = try source.read(upToCount: 1 << 20) ?? Data()
                } catch {
                    throw ErrorResult("cannot read \(spilled): \(reason(error))", kind: .local)
                }
                if piece.isEmpty { break }
                try file.write(piece)
            }
        } else {
            try file.write(bytes)
        }
        try file.commit(mode: 0o600)
    }

    private static func reason(_ error: any Error) -> String {
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        if underlying?.domain == NSPOSIXErrorDomain, let code = underlying?.code {
            return String(cString: strerror(Int32(code)))
        }
        return error.localizedDescription
    }
}
