import Chopsticks

/// `password`: the sudo password, asked once and lent to every member that goes through sudo.
extension Session {
    func givePassword(_ target: String?) async throws -> CommandResult {
        let names: [String]
        if let target {
            names = try resolveNonEmpty(target)
        } else {
            names = membersByState()["needs-password"] ?? []
        }
        guard let askSecret = io.askSecret else {
            throw ShellError("password: no terminal to ask on; scripts give it with chop --password-fd N")
        }
        guard let secret = await askSecret("sudo password: ") else {
            io.error("no password given; nothing changed")
            return .error
        }
        // One copy: the old one is zeroed, and every sudo member now holds the new one.
        sudoPassword?.wipe()
        sudoPassword = secret
        for tunnel in group.tunnels + sudoCompanions.values where tunnel.kind.usesSudo {
            await tunnel.setPassword(secret)
        }
        guard !names.isEmpty else {
            io.error("no member needs a password now; sudo members and run --sudo use this one from now on")
            return .ok
        }
        return try await connect(names, target: nil, fresh: true)
    }
}
