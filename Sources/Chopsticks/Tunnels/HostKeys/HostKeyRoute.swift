/// Where ssh really connects for a member and where it checks the host's key, as `ssh -G` resolves them from
/// the user's config: the same file, aliases and `Match` rules the tunnel itself uses.
public struct HostKeyRoute: Sendable, Equatable {
    /// The address ssh connects to (`HostName`).
    public var hostName: String
    public var port: Int
    /// `HostKeyAlias`: the name the key is stored and looked up under instead of the host's.
    public var hostKeyAlias: String?
    /// `UserKnownHostsFile`, in order; new keys go to the first.
    public var knownHostsFiles: [String]
    /// `HashKnownHosts`: new entries store a salted hash of the name, not the name.
    public var hashKnownHosts: Bool

    /// The name known_hosts holds the key under: the alias as it is, else the host, with `[host]:port` for a
    /// port other than 22 (OpenSSH's rule).
    public var knownHostsName: String {
        if let hostKeyAlias { return hostKeyAlias }
        return port == 22 ? hostName : "[\(hostName)]:\(port)"
    }

    /// Reads `ssh -G` output (one `keyword value…` a line, keywords in lower case).
    public init?(sshConfigDump text: String) {
        var values: [String: [String]] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            let words = line.split(separator: " ").map(String.init)
            guard let keyword = words.first, values[keyword] == nil else { continue }
            values[keyword] = Array(words.dropFirst())
        }
        guard let hostName = values["hostname"]?.first, let port = values["port"]?.first.flatMap({ Int($0) })
        else { return nil }
        self.hostName = hostName
        self.port = port
        self.hostKeyAlias = values["hostkeyalias"]?.first.flatMap { $0 == "none" ? nil : $0 }
        self.knownHostsFiles = (values["userknownhostsfile"] ?? []).filter { $0 != "none" }
        self.hashKnownHosts = values["hashknownhosts"]?.first == "yes"
    }
}
