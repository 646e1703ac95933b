/// The wire protocol between chop and its agent (`Agent/PROTOCOL.txt`).
public enum WireProtocol {
    /// The one protocol version this controller speaks; an agent that says another in its HELLO is refused.
    public static var version: Int { Reply.protocolVersion }
}
