import Chopsticks
import Foundation

/// `trust`'s work: host keys scanned, shown to the user, and once the user agrees written where the user's own
/// ssh reads them (a leaf's on its gateway); then the members connect again. `TrustCommand` reads the line and
/// calls it; the session lends its members, its terminal (`io`) and `connect`.
enum HostKeyBroker {
    /// One host ready to be trusted: where ssh goes for it and the keys it offers there.
    private struct ScannedHost: Sendable {
        var name: String
        var route: HostKeyRoute
        var keys: [HostKey]
        /// Set for a leaf: its ssh runs on the gateway, whose known_hosts gets the keys.
        var leaf: GatewayLeaf?
        var endpoint: String { "\(route.hostName):\(route.port)" + (leaf.map { " from \($0.gateway.name)" } ?? "") }
    }

    /// Adds the keys of `target` (default: `@unknown-key`) to known_hosts once the user agrees, then reconnects.
    static func trust(
        _ target: String?, yes: Bool, fingerprints: [String], in session: isolated Session
    ) async throws -> CommandResult {
        let names: [String]
        if let target {
            names = try session.resolveNonEmpty(target)
        } else {
            names = session.membersByState()["unknown-key"] ?? []
            guard !names.isEmpty else {
                session.io.print("no member has an unknown host key ('hosts' shows each member's state)")
                return .ok
            }
        }
        let members = session.group.subset(names).tunnels
        var problems: [(String, String)] = []
        var scanned: [ScannedHost] = []
        let results = await withTaskGroup(of: (Int, Result<ScannedHost, ErrorResult>).self) { tasks in
            for (index, tunnel) in members.enumerated() {
                tasks.addTask { (index, await scan(tunnel, fingerprints: fingerprints)) }
            }
            var results: [(Int, Result<ScannedHost, ErrorResult>)] = []
            for await result in tasks { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
        for (tunnel, result) in zip(members, results) {
            switch result {
            case .success(let host): scanned.append(host)
            case .failure(let error): problems.append((tunnel.name, error.msg))
            }
        }
        showFingerprints(scanned, io: session.io)
        for (name, reason) in problems { session.io.error("chop: trust \(name): \(reason)") }
        guard !scanned.isEmpty else { return .hostsFailed }
        let keyCount = scanned.reduce(0) { $0 + $1.keys.count }
        let question =
            "Add \(counted(keyCount, "key")) for \(counted(scanned.count, "host")) to your known_hosts? [y/N] "
        guard await consent(question, yes: yes || !fingerprints.isEmpty, io: session.io) else { return .error }
        try await write(scanned, io: session.io)
        let result = try await ConnectCommand.connect(scanned.map(\.name), target: nil, fresh: true, in: session)
        return problems.isEmpty ? result : .hostsFailed
    }

    /// `trust --replace HOST`: shows the old and new fingerprints, and swaps them once the user agrees.
    static func replace(
        _ name: String, yes: Bool, fingerprints: [String], in session: isolated Session
    ) async throws -> CommandResult {
        guard let tunnel = session.group[name] else {
            throw ShellError("no member named '\(name)'; 'hosts' lists them")
        }
        if let leaf = tunnel.kind as? GatewayLeaf {
            throw ShellError(
                "trust --replace \(name): it is reached through \(leaf.gateway.name); check why its key changed, "
                    + "then fix the gateway's known_hosts there")
        }
        guard let ssh = tunnel.kind as? SSH else {
            throw ShellError("\(name) is a \(tunnel.kind.kindName) member: only ssh members have host keys")
        }
        if let refusal = jumpRefusal(ssh) { throw ShellError("trust \(name): \(refusal)") }
        let route = try await ssh.hostKeyRoute()
        var old: [(file: String, keys: [HostKey])] = []
        for file in route.knownHostsFiles {
            let keys = await KnownHostsFile.keys(for: route.knownHostsName, in: file)
            if !keys.isEmpty { old.append((file, keys)) }
        }
        guard !old.isEmpty else {
            throw ShellError("known_hosts has no key for \(name) (\(route.knownHostsName)); use 'trust \(name)'")
        }
        let offered = try await shellMatching(SSH.scanKeys(at: route), fingerprints)
        session.io.print("\(name) (\(route.hostName):\(route.port), known as \(route.knownHostsName)):")
        for (file, keys) in old {
            for key in keys { session.io.print("  old  \(key.type) \(key.fingerprint)  in \(file)") }
        }
        for key in offered { session.io.print("  new  \(key.type) \(key.fingerprint)") }
        if Set(old.flatMap(\.keys)) == Set(offered) {
            session.io.print("the host offers the keys known_hosts already has: nothing to replace")
            return .ok
        }
        let question = "Replace the key of \(name)? Only if you know why it changed. [y/N] "
        guard await consent(question, yes: yes || !fingerprints.isEmpty, io: session.io) else { return .error }
        for (file, _) in old {
            do {
                try await KnownHostsFile.remove(name: route.knownHostsName, from: file)
            } catch {
                throw ShellError(error.msg)
            }
        }
        try await write([ScannedHost(name: name, route: route, keys: offered)], io: session.io)
        return try await ConnectCommand.connect([name], target: nil, fresh: true, in: session)
    }

    /// Where ssh goes for `tunnel` and the keys offered there; refuses what `trust` must not touch.
    private static func scan(_ tunnel: Tunnel, fingerprints: [String]) async -> Result<ScannedHost, ErrorResult> {
        if let leaf = tunnel.kind as? GatewayLeaf {
            // Its ssh runs on the gateway: the route and keys are seen from there, and go to its known_hosts.
            guard leaf.leaf is SSH else { return .failure(ErrorResult("a \(leaf.kindName) leaf has no ssh host key")) }
            if case .keyChanged = tunnel.state {
                return .failure(
                    ErrorResult("its key CHANGED and trust never replaces one; check why on \(leaf.gateway.name)"))
            }
            do {
                let route = try await leaf.hostKeyRoute()
                let keys = try matching(try await leaf.scanKeys(at: route), fingerprints)
                return .success(ScannedHost(name: tunnel.name, route: route, keys: keys, leaf: leaf))
            } catch {
                return .failure(error)
            }
        }
        guard let ssh = tunnel.kind as? SSH else {
            return .failure(ErrorResult("a \(tunnel.kind.kindName) member has no ssh host key"))
        }
        if let refusal = jumpRefusal(ssh) { return .failure(ErrorResult(refusal)) }
        if case .keyChanged = tunnel.state {
            return .failure(
                ErrorResult(
                    "its key CHANGED and trust never replaces one; check why, then 'trust --replace \(tunnel.name)'"))
        }
        do {
            let route = try await ssh.hostKeyRoute()
            var known: [HostKey] = []
            for file in route.knownHostsFiles {
                known += await KnownHostsFile.keys(for: route.knownHostsName, in: file)
            }
            let offered = try await SSH.scanKeys(at: route)
            if !known.isEmpty {
                // Adding beside a different key would be replacing it in all but name.
                let verdict =
                    Set(known).isDisjoint(with: offered)
                    ? "known_hosts has another key for it: 'trust --replace \(tunnel.name)' after checking why"
                    : "its key is in known_hosts already; 'reconnect \(tunnel.name)' tries again"
                return .failure(ErrorResult(verdict))
            }
            let keys = try matching(offered, fingerprints)
            return .success(ScannedHost(name: tunnel.name, route: route, keys: keys))
        } catch {
            return .failure(error)
        }
    }

    /// ssh-keyscan connects straight to the host, which a member reached through a jump host may not allow, and
    /// the key it saw there would not be the one ssh meets through the jump: refused, with the way to do it.
    private static func jumpRefusal(_ ssh: SSH) -> String? {
        guard let last = ssh.via.last else { return nil }
        return "it is reached via \(ssh.via.joined(separator: ",")) and ssh-keyscan cannot go through a jump host; "
            + "check its key on \(last) (ssh-keyscan there), then add it to known_hosts yourself"
    }

    /// The keys that match a pinned fingerprint (all of them when none is pinned).
    private static func matching(_ keys: [HostKey], _ fingerprints: [String]) throws(ErrorResult) -> [HostKey] {
        guard !fingerprints.isEmpty else { return keys }
        let chosen = keys.filter { fingerprints.contains($0.fingerprint) }
        guard !chosen.isEmpty else {
            let offered = keys.map { "\($0.type) \($0.fingerprint)" }.joined(separator: ", ")
            throw ErrorResult("no key matches --fingerprint; the host offers \(offered)")
        }
        return chosen
    }

    private static func shellMatching(_ keys: [HostKey], _ fingerprints: [String]) throws -> [HostKey] {
        do {
            return try matching(keys, fingerprints)
        } catch {
            throw ShellError(error.msg)
        }
    }

    /// The fingerprints, one block per distinct set of keys, with the hosts that offer it.
    private static func showFingerprints(_ hosts: [ScannedHost], io: ShellIO) {
        var blocks: [[HostKey]: [ScannedHost]] = [:]
        var order: [[HostKey]] = []
        for host in hosts {
            let keys = host.keys.sorted { ($0.type, $0.base64) < ($1.type, $1.base64) }
            if blocks[keys] == nil { order.append(keys) }
            blocks[keys, default: []].append(host)
        }
        for keys in order {
            let holders = blocks[keys] ?? []
            for key in keys { io.print("\(key.type) \(key.fingerprint)") }
            let names = holders.map { "\($0.name) (\($0.endpoint))" }.joined(separator: ", ")
            io.print("  \(names)")
            let endpoints = Set(holders.map(\.endpoint))
            if endpoints.count > 1 {
                io.print(
                    "  ! one key on \(endpoints.count) different hosts: cloned images share host keys; check before "
                        + "trusting")
            }
        }
    }

    /// Whether to go on: `yes`, or the user's answer on a terminal. Without a terminal, nothing is written.
    private static func consent(_ question: String, yes: Bool, io: ShellIO) async -> Bool {
        if yes { return true }
        guard let confirm = io.confirm else {
            io.error(
                "chop: trust: nothing written: no terminal to ask on; check the fingerprints above, then run "
                    + "trust --yes (or pin a key with --fingerprint)")
            return false
        }
        guard await confirm(question) else {
            io.error("nothing written")
            return false
        }
        return true
    }

    /// Appends the keys to each host's first known_hosts file, once per name and key (a leaf's on its gateway).
    private static func write(_ hosts: [ScannedHost], io: ShellIO) async throws {
        var lines: [String: [String]] = [:]
        var seen = Set<String>()
        var files: [String] = []
        for host in hosts {
            guard let leaf = host.leaf else { continue }
            let file = host.route.knownHostsFiles.first ?? "~/.ssh/known_hosts"
            let entries = host.keys.map {
                KnownHostsFile.line(name: host.route.knownHostsName, key: $0, hashed: host.route.hashKnownHosts)
            }
            do {
                try await leaf.appendKnownHosts(entries, to: file)
            } catch {
                throw ShellError(error.msg)
            }
            io.print("added \(counted(entries.count, "key")) to \(file) on \(leaf.gateway.name)")
        }
        for host in hosts where host.leaf == nil {
            let file = host.route.knownHostsFiles.first ?? Session.expandTilde("~/.ssh/known_hosts")
            if lines[file] == nil { files.append(file) }
            for key in host.keys where seen.insert("\(file) \(host.route.knownHostsName) \(key.base64)").inserted {
                lines[file, default: []].append(
                    KnownHostsFile.line(name: host.route.knownHostsName, key: key, hashed: host.route.hashKnownHosts))
            }
        }
        for file in files {
            let entries = lines[file] ?? []
            do {
                try KnownHostsFile.append(entries, to: file)
            } catch {
                throw ShellError(error.msg)
            }
            io.print("added \(counted(entries.count, "key")) to \(file)")
        }
    }
}
