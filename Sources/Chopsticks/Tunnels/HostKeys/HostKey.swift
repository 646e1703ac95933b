import Foundation

/// A host's public key as `ssh-keyscan` and known_hosts write it, with its fingerprint as ssh shows it.
public struct HostKey: Sendable, Hashable {
    /// The key type, e.g. `ssh-ed25519`.
    public var type: String
    /// The key blob in base64, as in known_hosts.
    public var base64: String

    /// `SHA256:` and the unpadded base64 of the blob's SHA-256, as `ssh-keygen -l` and ssh's prompts print it.
    public var fingerprint: String {
        let blob = Data(base64Encoded: base64).map { [UInt8]($0) } ?? Array(base64.utf8)
        let digest = Data(Digest.sha256(blob)).base64EncodedString()
        return "SHA256:" + digest.trimmingCharacters(in: CharacterSet(charactersIn: "="))
    }

    public init(type: String, base64: String) {
        self.type = type
        self.base64 = base64
    }

    /// Reads a `NAME TYPE BASE64 [COMMENT]` line (known_hosts, ssh-keyscan); nil for comments, markers
    /// (`@revoked`, `@cert-authority`) and anything else.
    public init?(knownHostsLine line: Substring) {
        let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 3, !fields[0].hasPrefix("#"), !fields[0].hasPrefix("@") else { return nil }
        let type = String(fields[1])
        let base64 = String(fields[2])
        guard type.hasPrefix("ssh-") || type.hasPrefix("ecdsa-") || type.hasPrefix("sk-"),
            let blob = Data(base64Encoded: base64), blob.count >= 4
        else { return nil }
        self.init(type: type, base64: base64)
    }
}
