import Chopsticks

/// Sudo per command (`run --sudo`, `set sudo USER`): a second agent per member and user, started through sudo
/// with the password broker `add --sudo` uses (`SudoLaunch`: chop's own `-p` prompt, the password written only
/// when sudo asks), kept for the session (`Session.sudoCompanions`) so the next command costs no new login.
enum SudoCompanions {
    /// The tunnel that runs as `user` for each of `names`: the member itself when it already runs as that user
    /// through sudo, else its sudo companion, made on first use. A Docker member is refused.
    static func runners(
        for names: [String], user: String, in session: isolated Session
    ) async throws(ShellError) -> [String: Tunnel] {
        let settings = session.settings
        var runners: [String: Tunnel] = [:]
        for tunnel in session.group.subset(names).tunnels {
            let key = "\(tunnel.name)\u{0}\(user)\u{0}\(settings.sudoTool.rawValue)"
            if let companion = session.sudoCompanions[key] {
                runners[tunnel.name] = companion
                continue
            }
            let kind: (any TunnelKind)?
            do {
                kind = try Self.sudoKind(of: tunnel.kind, user: user, tool: settings.sudoTool)
            } catch {
                throw ShellError("sudo user: \(error.message)")
            }
            guard let kind else { continue }
            let companion = Tunnel(kind, connectTimeout: settings.connectTimeout)
            await companion.setPassword(session.sudoPassword)
            session.sudoCompanions[key] = companion
            runners[tunnel.name] = companion
        }
        return runners
    }

    /// The sudo companions of `names`, no longer kept: for `remove`, which closes them with their members.
    static func take(of names: [String], in session: isolated Session) -> [Tunnel] {
        let members = Set(names)
        let keys = session.sudoCompanions.keys.filter { key in
            members.contains(String(key.prefix { $0 != "\u{0}" }))
        }
        return keys.compactMap { session.sudoCompanions.removeValue(forKey: $0) }
    }

    /// The kind of a member's sudo companion; nil when the member itself runs as `user` through sudo.
    private static func sudoKind(of kind: any TunnelKind, user: String, tool: SudoTool) throws(InvalidTunnel)
        -> (any TunnelKind)?
    {
        switch kind {
        case let ssh as SSH:
            if ssh.sudo && ssh.sudoUser == user && ssh.sudoTool == tool { return nil }
            return try SSH(
                ssh.host, user: ssh.user, port: ssh.port, sudo: true, sudoUser: user, options: ssh.options,
                configFile: ssh.configFile, connectTimeout: ssh.connectTimeout, python: ssh.python, name: ssh.name,
                via: ssh.via, sudoTool: tool, persist: ssh.persist)
        case let sudo as Sudo:
            return sudo.user == user && sudo.tool == tool
                ? nil : try Sudo(user: user, name: sudo.name, python: sudo.python, tool: tool)
        case let local as Local:
            return try Sudo(user: user, name: local.name, python: local.python, tool: tool)
        default:
            throw InvalidTunnel(
                "sudo per command works on ssh and local members, not on a \(kind.kindName) member; "
                    + "leave it out of the target")
        }
    }
}
