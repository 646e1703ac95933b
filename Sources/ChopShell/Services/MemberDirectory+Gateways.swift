import Chopsticks

/// Leaves behind gateways, for `add … --gateway GW` and `add local … --gateway GW`: each leaf pinned to one
/// gateway member.
extension MemberDirectory {
    /// `tunnels` made leaves of the gateways each one's spec names (a node set of members, such as `gw[1-4]`;
    /// nil: reached directly): each leaf is pinned to one gateway, the leaves of one spec spread over its
    /// gateways in turn.
    ///
    /// With `forwardAgent`, every SSH gateway of theirs forwards the user's agent from its next connect (one
    /// connected already is named: it must reconnect), and only these leaves' ssh there may use it.
    static func behindGateways(
        _ tunnels: [Tunnel], gateways specs: [String?], forwardAgent: Bool = false, in session: isolated Session
    ) throws -> [Tunnel] {
        if forwardAgent, !specs.contains(where: { $0 != nil }) {
            throw ShellError("--forward-agent is for hosts behind a gateway: add --gateway GW")
        }
        var resolved: [String: [Tunnel]] = [:]
        var spread: [String: Int] = [:]
        var notForwarding: [String] = []
        let leaves = try zip(tunnels, specs).map { tunnel, spec in
            guard let spec else { return tunnel }
            let gateways = try resolved[spec] ?? gatewayMembers(spec, in: session)
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
                    tunnel.kind, gateways: gateways, pin: index, fanout: session.settings.fanout,
                    forwardAgent: forwardAgent)
                return Tunnel(leaf, connectTimeout: session.settings.connectTimeout)
            } catch {
                throw ShellError("\(error)")
            }
        }
        if !notForwarding.isEmpty {
            let names = notForwarding.joined(separator: ",")
            session.io.error(
                "\(names) forwards your agent from its next connect; until then its ssh to these hosts has only its "
                    + "own keys (@\(names) reconnect)")
        }
        return leaves
    }

    /// The members a gateway spec names, each one chop reaches itself.
    private static func gatewayMembers(_ spec: String, in session: isolated Session) throws -> [Tunnel] {
        let names: [String]
        do {
            names = try NodeSet.expand(spec)
        } catch {
            throw ShellError("bad gateway list '\(spec)': \(error)")
        }
        let gateways = try names.map { name throws(ShellError) -> Tunnel in
            guard let gateway = session.group[name] else {
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
}
