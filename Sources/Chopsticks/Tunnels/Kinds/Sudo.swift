/// The agent on this machine as another user, through `sudo -n -u USER` (never a password prompt), or
/// `sudo -S` once the user gave a password (see `SudoLaunch`).
public struct Sudo: TunnelKind {
    public let user: String
    public let name: String
    public let python: String?
    /// What switches user: sudo (default), or doas or su where their rule needs no password.
    public let tool: SudoTool
    public var kindName: String { tool.rawValue }

    public init(user: String = "root", name: String? = nil, python: String? = nil, tool: SudoTool = .sudo)
        throws(InvalidTunnel)
    {
        try validateNames(["user name": user, "name": name])
        try validatePython(python)
        self.user = user
        self.name = name ?? "sudo-\(user)"
        self.python = python
        self.tool = tool
    }

    /// Only sudo takes a password (through the broker); doas and su would read it from a terminal.
    public var usesSudo: Bool { tool == .sudo }

    public func command(script: String) -> [String] {
        command(script: script, sudoPassword: false)
    }

    public func command(script: String, sudoPassword: Bool) -> [String] {
        SudoLaunch.words(tool: tool, user: user, script: script, password: sudoPassword)
    }
}
