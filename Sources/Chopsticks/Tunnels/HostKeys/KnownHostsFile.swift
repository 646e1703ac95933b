import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Reads and writes the user's known_hosts in OpenSSH's own format, so ssh, scp and every other tool see
/// the keys chop adds. Lookups and removals go through `ssh-keygen -F` / `-R`, which understand hashed names.
public enum KnownHostsFile {
    /// One entry: `NAME TYPE KEY`, with NAME hashed (`|1|salt|hmac`) when `hashed`.
    public static func line(name: String, key: HostKey, hashed: Bool) -> String {
        "\(hashed ? hash(name) : name) \(key.type) \(key.base64)"
    }

    /// `|1|BASE64(salt)|BASE64(HMAC-SHA1(salt, name))` with a fresh 20-byte salt, as `ssh-keygen -H` writes.
    static func hash(_ name: String, salt: [UInt8]? = nil) -> String {
        var generator = SystemRandomNumberGenerator()
        let salt = salt ?? (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let mac = Digest.hmacSHA1(key: salt, Array(name.utf8))
        return "|1|\(Data(salt).base64EncodedString())|\(Data(mac).base64EncodedString())"
    }

    /// Appends `lines` to `path` (made 0600, its folder 0700, when new), each on a line of its own.
    public static func append(_ lines: [String], to path: String) throws(ErrorResult) {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(
                    atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ErrorResult("cannot create \(folder): \(error.localizedDescription)")
            }
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ErrorResult("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        // A file whose last line lacks its newline must not have our first entry glued onto it.
        var text = lines.map { $0 + "\n" }.joined()
        var end = stat()
        if fstat(fd, &end) == 0, end.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, end.st_size - 1) == 1, last != 0x0A { text = "\n" + text }
        }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else {
            throw ErrorResult("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// The keys `path` holds for `name` (hashed or not), by `ssh-keygen -F`.
    public static func keys(for name: String, in path: String) async -> [HostKey] {
        guard FileManager.default.fileExists(atPath: path),
            let output = try? await CommandOutput.run(["ssh-keygen", "-F", name, "-f", path], timeout: 10)
        else { return [] }
        return output.text.split(whereSeparator: \.isNewline).compactMap { HostKey(knownHostsLine: $0) }
    }

    /// Removes every key of `name` from `path` with `ssh-keygen -R` (which keeps the old file as `path.old`).
    public static func remove(name: String, from path: String) async throws(ErrorResult) {
        let output: CommandOutput
        do {
            output = try await CommandOutput.run(["ssh-keygen", "-R", name, "-f", path], timeout: 10)
        } catch {
            throw ErrorResult("cannot run ssh-keygen: \(error)")
        }
        guard output.status == 0 else {
            throw ErrorResult("ssh-keygen -R \(name) failed: \(output.lastErrorLine ?? "no reason given")")
        }
    }
}
