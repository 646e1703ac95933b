/// The agent on this machine as another user, through `sudo -n -u USER` (never a password prompt).
public struct Sudo: TunnelKind {
    public let user: String
    public let name: String
    public let python: String?
    public var kindName: String { "sudo" }

    public init(user: String = "root", name: String? = nil, python: String? = nil) throws(InvalidTunnel) {
        try validateNames(["user name": user, "name": name, "python path": python])
        self.user = user
        self.name = name ?? "sudo-\(user)"
        self.python = python
    }

    public func command(script: String) -> [String] {
        ["sudo", "-n", "-u", user, "--", "/bin/sh", "-c", script]
    }
}
