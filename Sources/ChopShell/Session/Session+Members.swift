import Chopsticks
import Foundation

/// Building the group: add, remove, hosts, connect, disconnect.
extension Session {
    /// Adds SSH members (ranges expanded; `@GROUP` names an inventory group, whose hosts that are not members
    /// yet come with their variables) and starts connecting them in the background. `via`: jump hosts.
    func addSSH(
        _ specs: [String], python: String?, sudo: String? = nil, via: [String]? = nil, gateway: String? = nil,
        forwardAgent: Bool = false
    ) async throws -> CommandResult {
        var tunnels: [Tunnel] = []
        // Each host's gateways: --gateway, else its inventory's chop_gateway.
        var gateways: [String?] = []
        var fromGroups = Set(group.names)
        var already = 0
        for spec in specs {
            if spec.hasPrefix("@") {
                for name in try inventoryHosts(spec) {
                    guard fromGroups.insert(name).inserted else {
                        already += group[name] == nil ? 0 : 1
                        continue
                    }
                    tunnels.append(try inventoryTunnel(name, python: python, sudo: sudo, via: via))
                    gateways.append(gateway ?? inventory.settings(of: name).gateway)
                }
                continue
            }
            let names: [String]
            do {
                names = try NodeSet.expand(spec)
            } catch {
                throw ShellError("bad host list '\(spec)': \(error)")
            }
            for name in names {
                let kind: SSH
                do {
                    kind = try SSH(
                        parsing: name, options: sshOptions, configFile: sshConfigFile,
                        python: python ?? settings.python, sudo: sudo != nil, sudoUser: sudo ?? "root", via: via ?? [],
                        persist: settings.persist)
                } catch {
                    throw ShellError("\(error)")
                }
                tunnels.append(Tunnel(kind, connectTimeout: settings.connectTimeout))
                gateways.append(gateway)
            }
        }
        if already > 0 {
            io.error("\(counted(already, "host")) of the groups named \(already == 1 ? "is" : "are") a member already")
        }
        if tunnels.isEmpty { return .ok }
        // Typed patterns fold as nodeset -f folds them (n[-5-5] stays n[-5-5]); inventory groups by their names.
        let typed =
            specs.contains { $0.hasPrefix("@") } ? nil : try? NodeSet.fold(pattern: specs.joined(separator: ","))
        return try await addMembers(
            try behindGateways(tunnels, gateways: gateways, forwardAgent: forwardAgent), shown: typed)
    }

    /// The member an interactive session starts with when no host is given: this machine, as `local`. It
    /// leaves the group as soon as the user adds any other member, so a fleet-wide command never reaches the
    /// user's own machine by surprise.
    /// - Parameter announced: say so when it leaves (interactive sessions); a script that adds its hosts
    ///   expects the local member to go, so batch mode leaves it quietly.
    /// - Parameter connectNow: connect it at once (interactive: ready by the first command); a script connects
    ///   it on first use, so one that adds its hosts first starts no local agent beside their ssh.
    public func addImplicitLocal(announced: Bool = true, connectNow: Bool = true) async {
        guard (try? await addLocal(["local"], python: nil, quietly: true, connect: connectNow)) != nil else { return }
        implicitMember = "local"
        implicitLeaveAnnounced = announced
    }

    /// Local members, one per name (`w[1-4]` is four); no name: `local`, or `local2`… when that is taken.
    func addLocal(
        _ specs: [String], python: String?, gateway: String? = nil, quietly: Bool = false, connect: Bool = true
    ) async throws -> CommandResult {
        var names: [String] = []
        for spec in specs {
            do {
                names += try NodeSet.expand(spec)
            } catch {
                throw ShellError("bad name list '\(spec)': \(error)")
            }
        }
        if let implicit = implicitMember, names.isEmpty || names == [implicit] {
            implicitMember = nil
            io.error("\(implicit) (this machine) stays in the group as an explicit member")
            return .ok
        }
        if names.isEmpty { names = [uniqueName("local")] }
        let tunnels = try names.map {
            Tunnel(try Local($0, python: python ?? settings.python), connectTimeout: settings.connectTimeout)
        }
        return try await addMembers(
            try behindGateways(tunnels, gateways: tunnels.map { _ in gateway }), quietly: quietly,
            shown: specs.isEmpty ? nil : try? NodeSet.fold(pattern: specs.joined(separator: ",")), connect: connect)
    }

    func addSudo(user: String?, name: String?, python: String?) async throws -> CommandResult {
        let user = user ?? "root"
        let kind = try Sudo(user: user, name: name ?? uniqueName("sudo-\(user)"), python: python ?? settings.python)
        return try await addMembers([Tunnel(kind, connectTimeout: settings.connectTimeout)])
    }

    func addDocker(_ names: [String], image: String?, python: String?) async throws -> CommandResult {
        var tunnels: [Tunnel] = []
        for name in names {
            let kind = try Docker(name, image: image ?? settings.dockerImage, python: python ?? settings.python)
            tunnels.append(Tunnel(kind, connectTimeout: max(settings.connectTimeout, 30)))
        }
        return try await addMembers(tunnels)
    }

    func addContainers(_ names: [String], python: String?) async throws -> CommandResult {
        let tunnels = try names.map {
            Tunnel(try DockerExec($0, python: python ?? settings.python), connectTimeout: settings.connectTimeout)
        }
        return try await addMembers(tunnels)
    }

    /// Adds all or nothing: a duplicate name refuses the whole line, so a typo never half-applies. The
    /// implicit `local` member leaves first, so its name is free and a fleet command cannot reach it.
    /// `shown`: the members as the message names them (default: their names folded).
    /// `connect: false` leaves the members to connect on first use.
    private func addMembers(
        _ tunnels: [Tunnel], quietly: Bool = false, shown: String? = nil, connect: Bool = true
    ) async throws -> CommandResult {
        if let implicit = implicitMember, let member = group[implicit] {
            implicitMember = nil
            group.remove([implicit])
            for (key, members) in sets { sets[key] = members.filter { $0 != implicit } }
            await member.close()
            if implicitLeaveAnnounced { io.error("\(implicit) (this machine) left the group; add local to keep it") }
        }
        var names = Set(group.names)
        for tunnel in tunnels where tunnel.kind.usesSudo {
            await tunnel.setPassword(sudoPassword)
        }
        for tunnel in tunnels where !shippedRoots.isEmpty { tunnel.addShipped(shippedRoots) }
        for tunnel in tunnels {
            guard names.insert(tunnel.name).inserted else {
                throw ShellError("'\(tunnel.name)' is already a member; 'remove \(tunnel.name)' first to replace it")
            }
        }
        var grown = group
        for tunnel in tunnels { try grown.add(tunnel) }
        group = grown
        // A dry run touches no host: members are added, and connect when the dry run ends and an operation runs.
        if connect, !settings.dryRun { connectInBackground(tunnels) }
        if !quietly {
            io.error("added \(counted(tunnels.count, "member")): \(shown ?? NodeSet.fold(tunnels.map(\.name)))")
        }
        return .ok
    }

    func uniqueName(_ base: String) -> String {
        if group[base] == nil { return base }
        var index = 2
        while group["\(base)\(index)"] != nil { index += 1 }
        return "\(base)\(index)"
    }

    /// A snapshot of every member for `hosts`, the prompt and completion.
    public func members() async -> [MemberInfo] {
        var result: [MemberInfo] = []
        for tunnel in group.tunnels {
            let state = tunnel.state
            let version = await tunnel.pythonVersion
            let interpreter = await tunnel.interpreter
            if factNames.isEmpty { facts.offer(await tunnel.factNames) }
            let down = state.isFailed
            var kind = tunnel.kind.kindName
            if let docker = tunnel.kind as? Docker { kind += " \(docker.image)" }
            if let ssh = tunnel.kind as? SSH, !ssh.via.isEmpty { kind += " via \(ssh.via.joined(separator: ","))" }
            if let leaf = tunnel.kind as? GatewayLeaf { kind += " via \(leaf.gateway.name)" }
            var word = MemberState.word(state)
            if state == .up, let note = await tunnel.connectNote { word += " (\(note))" }
            result.append(
                MemberInfo(
                    name: tunnel.name, kind: kind, state: word,
                    python: version.map { v in interpreter.map { "\(v) \($0)" } ?? v }, rtt: await tunnel.lastRTT,
                    lastError: await tunnel.lastError, down: down, printsOnLogin: tunnel.stderr.printsOnLogin))
        }
        return result
    }

    /// The prompt: `chop 12 hosts (1 down)> `, with the `use` target when one is set.
    public func prompt() async -> String {
        let infos = await members()
        var text = "chop"
        if let useTarget { text += " @\(useTarget)" }
        text += directoryPrompt() + " " + counted(infos.count, "host")
        // Each failed state on its own: "unknown key" asks for `trust`, "down" for a look at `log`.
        var failed: [String: Int] = [:]
        for info in infos where info.down { failed[info.state, default: 0] += 1 }
        let order = ["down", "unknown key", "KEY CHANGED", "needs password"]
        let parts = order.compactMap { word in failed[word].map { "\($0) \(word)" } }
        if !parts.isEmpty { text += " (\(parts.joined(separator: ", ")))" }
        return text + "> "
    }

    /// `:/srv` when every member is in the same directory after a `cd`, `:(3 dirs)` when they differ, nothing
    /// while no member changed directory.
    func directoryPrompt() -> String {
        let directories = group.tunnels.map(\.directory)
        guard directories.contains(where: { $0 != nil }) else { return "" }
        let distinct = Set(directories.map { $0 ?? "" })
        // A directory is host text: its escape sequences are shown, never sent to the terminal.
        if distinct.count == 1, let only = directories.first ?? nil { return ":" + TerminalText.sanitize(only) }
        return ":(\(distinct.count) dirs)"
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

    func disconnect(_ targets: [String], target: String?, persist: Bool = false) async throws -> CommandResult {
        let names = targets.isEmpty ? try resolve(target) : try resolver().resolve(targets)
        let ended = await withTaskGroup(of: Int.self) { tasks in
            for tunnel in group.subset(names).tunnels {
                tasks.addTask {
                    await tunnel.disconnect()
                    guard persist, let ssh = tunnel.kind as? SSH else { return 0 }
                    return await ControlMaster.end(for: ssh)
                }
            }
            var total = 0
            for await count in tasks { total += count }
            return total
        }
        io.error("disconnected \(counted(names.count, "member")): \(NodeSet.fold(names))")
        if persist { io.error("ended \(counted(ended, "shared ssh connection"))") }
        return .ok
    }

    /// Starts connecting new members at once, in the background: `hosts` shows the progress, and operations wait
    /// for a connection already under way. One connector serves the whole session, at most `fanout` members at a
    /// time however many `add` lines come: a script of a thousand `add local` lines once started a thousand
    /// agents together, and they starved each other past the connect timeout.
    func connectInBackground(_ tunnels: [Tunnel]) {
        connectBacklog += tunnels
        guard !connectorRunning else { return }
        connectorRunning = true
        background { [weak self] in
            while let self, let batch = await self.nextConnectBatch() {
                _ = await batch.connect()
                for tunnel in batch.tunnels { self.facts.offer(await tunnel.factNames) }
            }
        }
    }

    /// The members waiting to connect, as a group with the session's fan-out; nil (and the connector stops)
    /// when there are none or the session is closing.
    private func nextConnectBatch() -> Group? {
        let tunnels = connectBacklog
        connectBacklog = []
        guard !tunnels.isEmpty, !Task.isCancelled, var batch = try? Group(tunnels) else {
            connectorRunning = false
            return nil
        }
        batch.fanout = settings.fanout
        return batch
    }
}
