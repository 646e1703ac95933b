import Chopsticks

/// `--gateway GW`, which `add` and `add local` take: leaves reached through members' agents.
extension OptionSpec {
    public static let gateway = value(
        "--gateway", "GW", example: "gw[1-4]", "reach them through these members' agents (a node set; tree mode)")
}

/// Leaves behind gateways: `add … --gateway GW`, `@via:GW`, and the route `hosts` shows.
extension Session {
    /// `tunnels` made leaves of the gateways each one's spec names (a node set of members, such as `gw[1-4]`;
    /// nil: reached directly): each leaf is pinned to one gateway, the leaves of one spec spread over its
    /// gateways in turn.
    func behindGateways(_ tunnels: [Tunnel], gateways specs: [String?]) throws -> [Tunnel] {
        var resolved: [String: [Tunnel]] = [:]
        var spread: [String: Int] = [:]
        return try zip(tunnels, specs).map { tunnel, spec in
            guard let spec else { return tunnel }
            let gateways = try resolved[spec] ?? gatewayMembers(spec)
            resolved[spec] = gateways
            let index = spread[spec, default: 0]
            spread[spec] = index + 1
            do {
                let leaf = try GatewayLeaf(tunnel.kind, gateways: gateways, pin: index, fanout: settings.fanout)
                return Tunnel(leaf, connectTimeout: settings.connectTimeout)
            } catch {
                throw ShellError("\(error)")
            }
        }
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
