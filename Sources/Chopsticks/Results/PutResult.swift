import Foundation

/// The outcome of `put`.
public struct PutResult: OperationValue, Hashable {
    public var remotePath: String
    public var size: Int
    public var sha1sum: String
    /// False when the host had the same bytes and mode there already: nothing was written.
    public var changed: Bool

    public init(remotePath: String, size: Int, sha1sum: String, changed: Bool = true) {
        self.remotePath = remotePath
        self.size = size
        self.sha1sum = sha1sum
        self.changed = changed
    }
}
