import Chopsticks
import Foundation

/// Building the group: add, remove, hosts, connect, disconnect.
extension Session {
    /// Adds SSH members (ranges expanded) and starts connecting them in the background.
    func addSSH(_ specs: [String], python: String?) throws -> CommandResult {
        var names: [String] = []
        for spec in specs {
            do {
                names += try NodeSet.expand(spec)
            } catch {
                throw ShellError("bad host list '\(spec)': \(error)")
            }
        }
        var tunnels: [Tunnel] = []
        for name in names {
            let kind: SSH
            do {
                kind = try SSH(
                    parsing: name, options: sshOptions, configFile: sshConfigFile, python: python ?? settings.python)
            } catch {
                throw ShellError("\(error)")
            }
            tunnels.append(Tunnel(kind, connectTimeout: settings.connectTimeout))
        }
        return try addMembers(tunnels)
    }

    func addLocal(_ name: String?) throws -> CommandResult {
        let chosen = name ?? uniqueName("local")
        return try addMembers([
            Tunnel(try Local(chosen, python: settings.python), connectTimeout: settings.connectTimeout)
        ])
    }

    func addSudo(user: String?, name: String?) throws -> CommandResult {
        let user = user ?? "root"
        let kind = try Sudo(user: user, name: name ?? uniqueName("sudo-\(user)"), python: settings.python)
        return try addMembers([Tunnel(kind, connectTimeout: settings.connectTimeout)])
    }

    func addDocker(_ names: [String], image: String?) throws -> CommandResult {
        var tunnels: [Tunnel] = []
        for name in names {
            let kind = try Docker(name, image: image ?? settings.dockerImage, python: settings.python)
            tunnels.append(Tunnel(kind, connectTimeout: max(settings.connectTimeout, 30)))
        }
        return try addMembers(tunnels)
    }

    func addContainers(_ names: [String]) throws -> CommandResult {
        let tunnels = try names.map {
            Tunnel(try DockerExec($0, python: settings.python), connectTimeout: settings.connectTimeout)
        }
        return try addMembers(tunnels)
    }

    /// Adds all or nothing: a duplicate name refuses the whole line, so a typo never half-applies.
    private func addMembers(_ tunnels: [Tunnel]) throws -> CommandResult {
        var names = Set(group.names)
        for tunnel in tunnels {
            guard names.insert(tunnel.name).inserted else {
                throw ShellError("'\(tunnel.name)' is already a member; 'remove \(tunnel.name)' first to replace it")
            }
        }
        var grown = group
        for tunnel in tunnels { try grown.add(tunnel) }
        group = grown
        // Connect at once in the background, at most `fanout` at a time (a range can add thousands);
        // `hosts` shows the progress, and operations wait for a connection already under way.
        if var connecting = try? Group(tunnels) {
            connecting.fanout = settings.fanout
            Task { [connecting] in _ = await connecting.connect() }
        }
        let noun = tunnels.count == 1 ? "member" : "members"
        io.error("added \(tunnels.count) \(noun): \(NodeSet.fold(tunnels.map(\.name)))")
        return .ok
    }

    func uniqueName(_ base: String) -> String {
        if group[base] == nil { return base }
        var index = 2
        while group["\(base)\(index)"] != nil { index += 1 }
        return "\(base)\(index)"
    }

    func remove(_ targets: [String]) async throws -> CommandResult {
        let names = try resolver().resolve(targets)
        if names.isEmpty { throw ShellError("nothing to remove: '\(targets.joined(separator: " "))' selects no host") }
        let removed = group.remove(names)
        for (key, members) in sets { sets[key] = members.filter { !names.contains($0) } }
        await withTaskGroup(of: Void.self) { tasks in
            for tunnel in removed { tasks.addTask { await tunnel.close() } }
        }
        io.error("removed \(removed.count): \(NodeSet.fold(names))")
        return .ok
    }

    /// The `hosts` table: name, kind, state, Python, last round trip, last error.
    func hosts(_ target: String?) async throws -> CommandResult {
        if group.isEmpty {
            io.print("no hosts: add some with 'add HOST' (or 'add local')")
            return .ok
        }
        let names = Set(try target.map { try resolveNonEmpty($0) } ?? group.names)
        var table = TextTable(headers: ["NAME", "KIND", "STATE", "PYTHON", "RTT", "LAST ERROR"])
        for info in await members() where names.contains(info.name) {
            table.addRow([
                TerminalText.sanitize(info.name), info.kind, info.state, TerminalText.sanitize(info.python ?? ""),
                info.rtt.map { String(format: "%.1f ms", $0 * 1000) } ?? "",
                TerminalText.sanitize(info.lastError ?? ""),
            ])
        }
        for line in table.render(maxWidth: max(40, io.width())) { io.print(line) }
        return .ok
    }

    /// A snapshot of every member for `hosts`, the prompt and completion.
    public func members() async -> [MemberInfo] {
        var result: [MemberInfo] = []
        for tunnel in group.tunnels {
            let state = await tunnel.state
            let version = await tunnel.pythonVersion
            let interpreter = await tunnel.interpreter
            var down = false
            if case .down = state { down = true }
            var kind = tunnel.kind.kindName
            if let docker = tunnel.kind as? Docker { kind += " \(docker.image)" }
            result.append(
                MemberInfo(
                    name: tunnel.name, kind: kind, state: state.word,
                    python: version.map { v in interpreter.map { "\(v) \($0)" } ?? v }, rtt: await tunnel.lastRTT,
                    lastError: await tunnel.lastError, down: down))
        }
        return result
    }

    /// The prompt: `chop 12 hosts (1 down)> `, with the `use` target when one is set.
    public func prompt() async -> String {
        let infos = await members()
        let down = infos.filter(\.down).count
        var text = "chop"
        if let useTarget { text += " @\(useTarget)" }
        text += " \(infos.count) \(infos.count == 1 ? "host" : "hosts")"
        if down > 0 { text += " (\(down) down)" }
        return text + "> "
    }

    func connect(_ targets: [String], target: String?, fresh: Bool) async throws -> CommandResult {
        let names = targets.isEmpty ? try resolve(target) : try resolver().resolve(targets)
        let members = group.subset(names)
        if fresh {
            await withTaskGroup(of: Void.self) { tasks in
                for tunnel in members.tunnels { tasks.addTask { await tunnel.disconnect() } }
            }
        }
        return try await operate(
            fresh ? "reconnect" : "connect", target: nil, names: names,
            { tunnel in
                let start = ContinuousClock.now
                try await tunnel.connect()
                return PingResult(seconds: start.duration(to: .now).seconds)
            },
            describe: { host, ping in
                HostOutcome(host: host, seconds: ping.seconds, output: "connected")
            })
    }

    func disconnect(_ targets: [String], target: String?) async throws -> CommandResult {
        let names = targets.isEmpty ? try resolve(target) : try resolver().resolve(targets)
        await withTaskGroup(of: Void.self) { tasks in
            for tunnel in group.subset(names).tunnels { tasks.addTask { await tunnel.disconnect() } }
        }
        io.error("disconnected \(names.count): \(NodeSet.fold(names))")
        return .ok
    }
}
