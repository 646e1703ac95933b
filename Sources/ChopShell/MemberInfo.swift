/// One row of the `hosts` table, read from a tunnel; also what completion and the prompt use.
public struct MemberInfo: Sendable, Equatable {
    public var name: String
    public var kind: String
    public var state: String
    public var python: String?
    public var rtt: Double?
    public var lastError: String?
    public var down: Bool
}
