import Foundation

/// A local file ready to be put on many hosts, read and hashed once per wave of `fanout` hosts rather than once
/// per host (see `SharedFileSource`).
///
/// The hosts of a wave start together (the group starts `fanout` at a time, in order), so none of them waits
/// for a host that has no slot yet. `Group.put` uses one; a caller with its own fan-out (the shell, with live
/// progress) makes one for the hosts it targets and calls `put(on:)` from each host's task.
public struct PutPlan: Sendable {
    private let consumers: [String: (source: SharedFileSource, consumer: Int)]
    private let remotePath: String?
    /// nil: each file's own mode (`LocalFile.copyMode`).
    private let mode: Int?

    /// Opens `localPath` for `hosts`, in the order they will be started; fails with the one message every host
    /// would have got (file not found, a directory, permission denied).
    public static func prepare(
        _ localPath: String, _ remotePath: String? = nil, mode: Int? = nil, hosts: [String], fanout: Int
    ) async throws -> PutPlan {
        let width = max(1, fanout)
        var consumers: [String: (SharedFileSource, Int)] = [:]
        for wave in stride(from: 0, to: hosts.count, by: width) {
            let source = try SharedFileSource(path: localPath)
            for host in hosts[wave..<min(hosts.count, wave + width)] {
                consumers[host] = (source, await source.join())
            }
        }
        return PutPlan(consumers: consumers, remotePath: remotePath, mode: mode)
    }

    /// Puts the file on `tunnel`, one of the hosts the plan was prepared for. `{host}` in the remote path is the
    /// tunnel's name (`HostTemplate.path`).
    public func put(on tunnel: Tunnel) async throws -> PutResult {
        guard let (source, consumer) = consumers[tunnel.name] else {
            throw ErrorResult("put: \(tunnel.name) was not among the hosts the file was opened for", kind: .local)
        }
        let path = remotePath.map { HostTemplate.path($0, host: tunnel.name) }
        return try await tunnel.put(from: source, as: consumer, path, mode: mode)
    }
}
