import NIOConcurrencyHelpers

/// Whether an SSH member forwards the user's ssh agent (`ForwardAgent=yes`): set when leaves that may use the
/// agent (`add … --gateway GW --forward-agent`) go through it, so the gateway's own ssh to them finds the user's
/// keys. Shared by every copy of the member's `SSH`; read at each connect.
public final class AgentForwarding: Sendable {
    private let on = NIOLockedValueBox(false)

    public init() {}

    /// The member's next connect forwards the agent.
    public func enable() { on.withLockedValue { $0 = true } }

    public var isEnabled: Bool { on.withLockedValue { $0 } }
}
