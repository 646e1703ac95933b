/// The agent on this machine as another user, through `sudo -n -u USER` (never a password prompt), or
/// `sudo -S` once the user gave a password (see `SudoLaunch`).
public struct Sudo: TunnelKind {
    public let user: String
    public let name: String
    public let python: String?
    public var kindName: String { "sudo" }

    public init(user: String = "root", name: String? = nil, python: String? = nil) throws(InvalidTunnel) {
        try validateNames(["user name": user, "name": name])
        try validatePython(python)
        self.user = user
        self.name = name ?? "sudo-\(user)"
        self.python = python
    }

    public var usesSudo: Bool { true }

    public func command(script: String) -> [String] {
        command(script: script, sudoPassword: false)
    }

    public func command(script: String, sudoPassword: Bool) -> [String] {
        SudoLaunch.words(user: user, script: script, password: sudoPassword)
    }
}
