/// Anything `Group(_:)` takes in one list, as chopsticks' `Group(["web1.example.com", Docker("example"),
/// Local("worker")])` does: a host name (an SSH member, `[user@]host[:port]`), a tunnel kind, or a tunnel.
///
/// Every `TunnelKind` is one, so a new kind needs nothing more to be listed beside host names.
public protocol GroupMember: Sendable {
    /// The tunnel that joins the group for this member.
    func groupTunnel() throws(InvalidTunnel) -> Tunnel
}

extension String: GroupMember {
    /// An SSH member: the name read as `[user@]host[:port]`, refused when it could never be a host.
    public func groupTunnel() throws(InvalidTunnel) -> Tunnel { Tunnel(try SSH(parsing: self)) }
}

extension TunnelKind {
    public func groupTunnel() throws(InvalidTunnel) -> Tunnel { Tunnel(self) }
}

extension Tunnel: GroupMember {
    public nonisolated func groupTunnel() throws(InvalidTunnel) -> Tunnel { self }
}
