import Foundation

/// The outcome of `fetch`.
public struct FetchResult: OperationValue, Hashable {
    public var localPath: String
    public var remotePath: String
    public var size: Int
    public var sha1sum: String

    public init(localPath: String, remotePath: String, size: Int, sha1sum: String) {
        self.localPath = localPath
        self.remotePath = remotePath
        self.size = size
        self.sha1sum = sha1sum
    }
}
