import NIOConcurrencyHelpers

/// A member reached through a gateway: the gateway's agent starts `leaf`'s tunnel on its side and relays its
/// frames (`GatewayRouter`), so this controller holds no process or pipe for it.
///
/// With several gateways the leaf is pinned to one (`pin`); a reconnect goes through it again, or through the
/// next one that is up when it was lost.
public struct GatewayLeaf: TunnelKind {
    /// How the gateway reaches the leaf (SSH from the gateway, or Local on it).
    public let leaf: any TunnelKind
    /// The gateways this leaf may go through, its pinned one first to try.
    public let gateways: [Tunnel]
    /// Most leaves the gateway connects at once (the rest wait there, not here).
    public let fanout: Int
    /// The gateway's ssh to this leaf may use the user's agent, forwarded by the gateway's own ssh (which this
    /// turns on for every SSH gateway of the set); otherwise it uses the gateway's keys only.
    public let forwardAgent: Bool
    private let pinned: NIOLockedValueBox<Int>

    public init(
        _ leaf: any TunnelKind, gateways: [Tunnel], pin: Int = 0, fanout: Int = Group.defaultFanout,
        forwardAgent: Bool = false
    ) throws(InvalidTunnel) {
        guard !gateways.isEmpty else { throw InvalidTunnel("'\(leaf.name)': --gateway names no member") }
        if leaf is GatewayLeaf { throw InvalidTunnel("'\(leaf.name)' already goes through a gateway") }
        if gateways.contains(where: { $0.name == leaf.name }) {
            throw InvalidTunnel("'\(leaf.name)' cannot be its own gateway")
        }
        self.leaf = leaf
        self.gateways = gateways
        self.fanout = max(1, fanout)
        self.forwardAgent = forwardAgent
        if forwardAgent {
            for gateway in gateways { (gateway.kind as? SSH)?.agentForwarding.enable() }
        }
        self.pinned = NIOLockedValueBox(((pin % gateways.count) + gateways.count) % gateways.count)
    }

    public var name: String { leaf.name }
    public var kindName: String { leaf.kindName }
    public var python: String? { leaf.python }
    /// The gateway this leaf goes through now.
    public var gateway: Tunnel { gateways[pinned.withLockedValue { $0 }] }

    /// The gateways in the order a connect tries them: the pinned one, then the others after it.
    var candidates: [(index: Int, tunnel: Tunnel)] {
        let first = pinned.withLockedValue { $0 }
        return (0..<gateways.count).map { offset in
            let index = (first + offset) % gateways.count
            return (index, gateways[index])
        }
    }

    func pin(_ index: Int) { pinned.withLockedValue { $0 = index } }

    public func command(script: String) -> [String] { leaf.command(script: script) }
    public func describeFailure(stderr: String) -> String? { leaf.describeFailure(stderr: stderr) }
    public func cleanup() async { await leaf.cleanup() }
}
