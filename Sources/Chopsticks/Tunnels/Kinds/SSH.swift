/// A host reached with the system OpenSSH client, so ~/.ssh/config, the agent, known_hosts and ProxyJump
/// all apply as they do for the user's own `ssh`.
///
/// It always runs with `BatchMode=yes`: a password or host-key prompt fails at once instead of freezing
/// the shell.
public struct SSH: TunnelKind {
    public let host: String
    public let user: String?
    public let port: Int?
    /// Run the agent through sudo on the far side (`sudo -n`, or `sudo -S` once a password is given).
    public let sudo: Bool
    /// The user sudo runs the agent as (root by default).
    public let sudoUser: String
    /// What switches to `sudoUser` on the host: sudo (default), or doas or su where their rule needs no password.
    public let sudoTool: SudoTool
    /// Extra `-o` options (`"StrictHostKeyChecking=yes"`).
    public let options: [String]
    /// An ssh config file to use instead of ~/.ssh/config (`ssh -F`).
    public let configFile: String?
    public let connectTimeout: Int
    public let python: String?
    public let name: String
    /// Jump hosts (OpenSSH's ProxyJump, `-J a,b`), first hop first; each hop's own settings come from the ssh
    /// config. Empty: ssh goes straight to the host (or as the ssh config says).
    public let via: [String]
    /// Seconds a shared master connection outlives chop's last use of it (ssh's `ControlPersist`), so that the
    /// next run skips the handshake; nil: no master of chop's own (see `ControlMaster`).
    public let persist: Int?
    /// A connect's first request (a `run` without environment or stdin, `ping`, `facts`) may go in ssh's command
    /// line, a round trip sooner (`OpeningRequest`); false keeps every request on stdin, so no command of the
    /// user's shows in a process list (here, in ssh's own, nor on the host).
    public let firstRequestInCommand: Bool
    /// Forwards the user's ssh agent, for leaves behind this member that use it (`GatewayLeaf.forwardAgent`).
    public let agentForwarding = AgentForwarding()
    public var kindName: String { "ssh" }

    public init(
        _ host: String, user: String? = nil, port: Int? = nil, sudo: Bool = false, sudoUser: String = "root",
        options: [String] = [], configFile: String? = nil, connectTimeout: Int = 10, python: String? = nil,
        name: String? = nil, via: [String] = [], sudoTool: SudoTool = .sudo, persist: Int? = nil,
        firstRequestInCommand: Bool = true
    ) throws(InvalidTunnel) {
        try validateNames(["host name": host, "user name": user, "name": name, "sudo user": sudoUser])
        for hop in via {
            try validateName(hop, what: "jump host")
            if hop.contains(",") { throw InvalidTunnel("jump host '\(hop)' cannot contain ','") }
        }
        if let port, !(1...65535).contains(port) { throw InvalidTunnel("port \(port) is not in 1-65535") }
        try validatePython(python)
        self.host = host
        self.user = user
        self.port = port
        self.sudo = sudo
        self.sudoUser = sudoUser
        self.sudoTool = sudoTool
        self.options = options
        self.configFile = configFile
        self.connectTimeout = connectTimeout
        self.python = python
        self.name = name ?? host
        self.via = via
        self.persist = persist
        self.firstRequestInCommand = firstRequestInCommand
    }

    /// Reads `user@host:port` (each part optional but the host).
    public init(
        parsing spec: String, options: [String] = [], configFile: String? = nil, python: String? = nil,
        sudo: Bool = false, sudoUser: String = "root", via: [String] = [], persist: Int? = nil,
        firstRequestInCommand: Bool = true
    ) throws(InvalidTunnel) {
        var rest = Substring(spec)
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            user = String(rest[..<at])
            rest = rest[rest.index(after: at)...]
        }
        var port: Int?
        if let colon = rest.lastIndex(of: ":"), !rest.hasPrefix("[") {
            guard let value = Int(rest[rest.index(after: colon)...]) else {
                throw InvalidTunnel("'\(spec)': the port after ':' must be a number")
            }
            port = value
            rest = rest[..<colon]
        }
        try self.init(
            String(rest), user: user, port: port, sudo: sudo, sudoUser: sudoUser, options: options,
            configFile: configFile, python: python, name: spec, via: via, persist: persist,
            firstRequestInCommand: firstRequestInCommand)
    }

    /// The config file, options, port and user, as ssh takes them: shared by the tunnel and `ssh -G`.
    var configArguments: [String] { configArguments(proxyCommand: nil) }

    /// `configArguments`, reaching the jump hosts through `proxyCommand` instead of `-J` when one is given.
    func configArguments(proxyCommand: String?) -> [String] {
        var argv: [String] = []
        if let configFile { argv += ["-F", configFile] }
        // Before the user's -o options: ssh keeps the first value it reads, and --via is the more specific.
        if let proxyCommand {
            argv += ["-o", "ProxyCommand=\(proxyCommand)"]
        } else if !via.isEmpty {
            argv += ["-J", via.joined(separator: ",")]
        }
        for option in options { argv += ["-o", option] }
        if let port { argv += ["-p", String(port)] }
        if let user { argv += ["-l", user] }
        return argv
    }

    /// Only sudo takes a password (through the broker); doas and su would read it from a terminal.
    public var usesSudo: Bool { sudo && sudoTool == .sudo }

    public func command(script: String) -> [String] {
        command(script: script, sudoPassword: false)
    }

    public func command(script: String, sudoPassword: Bool) -> [String] {
        command(script: script, sudoPassword: sudoPassword, sharing: ControlMaster.Plan())
    }

    /// The command with chop's connection sharing (`ControlMaster`): a master of chop's own when the user's ssh
    /// config sets none, and jump hosts through their shared masters.
    public func launch(script: String, sudoPassword: Bool) async -> Launch {
        let plan = await ControlMaster.plan(for: self)
        return Launch(
            argv: command(script: script, sudoPassword: sudoPassword, sharing: plan), reused: plan.reused,
            settled: plan.settled)
    }

    func command(script: String, sudoPassword: Bool, sharing: ControlMaster.Plan) -> [String] {
        var argv = [
            "ssh", "-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connectTimeout)",
            "-o", "ServerAliveInterval=15", "-o", "LogLevel=ERROR",
        ]
        for option in sharing.options { argv += ["-o", option] }
        if agentForwarding.isEnabled { argv += ["-o", "ForwardAgent=yes"] }
        argv += configArguments(proxyCommand: sharing.proxyCommand)
        // ssh joins the remote words with spaces for the account's login shell, whatever it is (tcsh, fish…):
        // hand it one line it reads the same way as sh does (see `Bootstrap.reader`).
        // With sudo, `/bin/sh` finds it (on the login PATH, else at its usual places: an rc file may break PATH)
        // and gets sudo's arguments as its own, so no word is parsed twice.
        let remote =
            sudo
            ? "exec /bin/sh -c \(shellQuote(SudoLaunch.find(sudoTool))) sh "
                + SudoLaunch.words(tool: sudoTool, user: sudoUser, script: script, password: sudoPassword)
                .dropFirst().map(shellQuote).joined(separator: " ")
            : "exec /bin/sh -c \(shellQuote(script))"
        argv += ["--", host, remote]
        return argv
    }
}
