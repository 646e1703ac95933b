import Foundation

/// The outcome of `put`.
public struct PutResult: OperationValue, Hashable {
    public var remotePath: String
    public var size: Int
    public var sha1sum: String

    public init(remotePath: String, size: Int, sha1sum: String) {
        self.remotePath = remotePath
        self.size = size
        self.sha1sum = sha1sum
    }
}
