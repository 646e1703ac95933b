import Foundation
import NIOCore

/// A local tree ready to be put on many hosts (`put -r`, `sync`): walked once, and each file read once per wave
/// of `fanout` hosts (`TreeFeed`), as `PutPlan` does for one file.
public struct TreePlan: Sendable {
    /// The tree as walked; its listing waits in a temporary file, not in memory.
    public let tree: LocalTree
    private let remoteRoot: String
    private let options: TreeOptions
    private let consumers: [String: (feed: TreeFeed, consumer: Int)]

    /// Walks `localPath` for `hosts`, in the order they will be started; fails with the one message every host
    /// would have got (not a folder, not readable).
    public static func prepare(
        _ localPath: String, _ remoteRoot: String, options: TreeOptions, hosts: [String], fanout: Int
    ) async throws -> TreePlan {
        let tree = try LocalTree.read(localPath, checksum: options.checksum)
        let width = max(1, fanout)
        var consumers: [String: (TreeFeed, Int)] = [:]
        for wave in stride(from: 0, to: hosts.count, by: width) {
            let members = hosts[wave..<min(hosts.count, wave + width)]
            let feed = TreeFeed(tree: tree, hosts: members.count)
            for host in members { consumers[host] = (feed, await feed.join()) }
        }
        return TreePlan(tree: tree, remoteRoot: remoteRoot, options: options, consumers: consumers)
    }

    /// Puts the tree on `tunnel`, one of the hosts the plan was prepared for. `{host}` in the remote folder is
    /// the tunnel's name.
    public func put(on tunnel: Tunnel) async throws -> TreeResult {
        guard let (feed, consumer) = consumers[tunnel.name] else {
            throw ErrorResult("put: \(tunnel.name) was not among the hosts the tree was read for", kind: .local)
        }
        return try await tunnel.putTree(
            tree, to: HostTemplate.path(remoteRoot, host: tunnel.name), options: options,
            feed: feed, consumer: consumer)
    }

    /// Files of the tree read from disk so far, over every wave (each file once per wave).
    public func filesRead() async -> Int {
        var feeds: [ObjectIdentifier: TreeFeed] = [:]
        for (feed, _) in consumers.values { feeds[ObjectIdentifier(feed)] = feed }
        var total = 0
        for feed in feeds.values { total += await feed.filesRead }
        return total
    }
}
