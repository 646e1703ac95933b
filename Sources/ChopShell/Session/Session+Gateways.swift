import Chopsticks

/// `--gateway GW`, which `add` and `add local` take: leaves reached through members' agents.
extension OptionSpec {
    public static let gateway = value(
        "--gateway", "GW", example: "gw[1-4]", "reach them through these members' agents (a node set; tree mode)")

    /// `--forward-agent`, with `--gateway`: the gateways' ssh to these hosts may use the user's agent.
    public static let forwardAgent = flag(
        "--forward-agent", "with --gateway: the gateways' ssh to them uses your ssh agent (forwarded)")
}

/// Leaves behind gateways: `add … --gateway GW`, `@via:GW`, and the route `hosts` shows.
extension Session {
    /// `tunnels` made leaves of the gateways each one's spec names (a node set of members, such as `gw[1-4]`;
    /// nil: reached directly): each leaf is pinned to one gateway, the leaves of one spec spread over its
    /// gateways in turn.
    ///
    /// With `forwardAgent`, every SSH gateway of theirs forwards the user's agent from its next connect (one
    /// connected already is named: it must reconnect), and only these leaves' ssh there may use it.
    func behindGateways(_ tunnels: [Tunnel], gateways specs: [String?], forwardAgent: Bool = false) throws
        -> [Tunnel]
    {
        if forwardAgent, !specs.contains(where: { $0 != nil }) {
            throw ShellError("--forward-agent is for hosts behind a gateway: add --gateway GW")
        }
        var resolved: [String: [Tunnel]] = [:]
        var spread: [String: Int] = [:]
        var notForwarding: [String] = []
        let leaves = try zip(tunnels, specs).map { tunnel, spec in
            guard let spec else { return tunnel }
            let gateways = try resolved[spec] ?? gatewayMembers(spec)
            if forwardAgent, resolved[spec] == nil {
                notForwarding += gateways.filter { gateway in
                    guard let ssh = gateway.kind as? SSH, !ssh.agentForwarding.isEnabled else { return false }
                    return gateway.state == .up
                }.map(\.name)
            }
            resolved[spec] = gateways
            let index = spread[spec, default: 0]
            spread[spec] = index + 1
            do {
                let leaf = try GatewayLeaf(
                    tunnel.kind, gateways: gateways, pin: index, fanout: settings.fanout, forwardAgent: forwardAgent)
                return Tunnel(leaf, connectTimeout: settings.connectTimeout)
            } catch {
                throw ShellError("\(error)")
            }
        }
        if !notForwarding.isEmpty {
            let names = notForwarding.joined(separator: ",")
            io.error(
                "\(names) forwards your agent from its next connect; until then its ssh to these hosts has only its "
                    + "own keys (@\(names) reconnect)")
        }
        return leaves
    }

    /// The members a gateway spec names, each one chop reaches itself.
    private func gatewayMembers(_ spec: String) throws -> [Tunnel] {
        let names: [String]
        do {
            names = try NodeSet.expand(spec)
        } catch {
            throw ShellError("bad gateway list '\(spec)': \(error)")
        }
        let gateways = try names.map { name throws(ShellError) -> Tunnel in
            guard let gateway = group[name] else {
                throw ShellError("gateway '\(name)' is not a member; add it first, e.g. add \(name)")
            }
            if gateway.kind is GatewayLeaf {
                throw ShellError("'\(name)' is itself behind a gateway; name a member chop reaches directly")
            }
            return gateway
        }
        guard !gateways.isEmpty else { throw ShellError("--gateway names no member") }
        return gateways
    }

    /// `@via:GW`: the leaves pinned to each gateway now.
    func membersByGateway() -> [String: [String]] {
        var sets: [String: [String]] = [:]
        for tunnel in group.tunnels {
            if let leaf = tunnel.kind as? GatewayLeaf {
                sets["via:" + leaf.gateway.name, default: []].append(tunnel.name)
            }
        }
        return sets
    }
}
