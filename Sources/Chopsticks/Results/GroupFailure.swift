/// Some hosts of a group failed: the message names each with its reason.
public struct GroupFailure: Error, Sendable, CustomStringConvertible {
    public var total: Int
    public var failures: [(host: String, reason: String)]

    public var description: String {
        let list = failures.map { "\($0.host): \($0.reason)" }.joined(separator: "; ")
        return "\(failures.count)/\(total) hosts had failures: \(list)"
    }
}
