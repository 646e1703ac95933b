import Foundation

/// Directory trees on every member: `put -r`, `sync` and `fetch -r` (see `TreePlan`, `Tunnel.fetchTree`).
extension Group {
    /// Puts the local folder `localPath` at `remotePath` on every member (`{host}` is each member's name).
    /// By default every file is sent (`put -r`); `TreeOptions` makes it a sync.
    public func putTree(_ localPath: String, _ remotePath: String, options: TreeOptions = TreeOptions(everyFile: true))
        async -> GroupResult<TreeResult>
    {
        preconnect()
        return await each(
            preparing: {
                try await TreePlan.prepare(localPath, remotePath, options: options, hosts: names, fanout: fanout)
            }, { plan, tunnel in try await plan.put(on: tunnel) })
    }

    /// Starts opening the tunnels of the first `fanout` members (those an operation starts with) in the
    /// background, so the connects overlap local work such as reading a tree; the operation then shares each
    /// attempt (`Tunnel.live`). A member that fails to connect fails in the operation, as it would have.
    public func preconnect() {
        let group = self
        Task { await group.startConnects() }
    }

    /// rsync's job: compares first (size and mtime, or SHA-1 with `checksum`), then sends only what differs;
    /// with `delete`, removes what the local folder lacks; with `dryRun`, only reports.
    public func sync(
        _ localPath: String, _ remotePath: String, delete: Bool = false, checksum: Bool = false, dryRun: Bool = false
    ) async -> GroupResult<TreeResult> {
        await putTree(localPath, remotePath, options: TreeOptions(delete: delete, checksum: checksum, dryRun: dryRun))
    }

    /// Copies the folder `remotePath` from every member into `localTemplate` (with `{host}`; by default
    /// `fetched/{host}/NAME`, NAME the remote folder's name).
    public func fetchTree(_ remotePath: String, to localTemplate: String? = nil) async -> GroupResult<TreeResult> {
        let base = (remotePath as NSString).lastPathComponent
        let paths: [String: String]
        do {
            paths = try HostTemplate.paths(localTemplate ?? "fetched/{host}/\(base)", hosts: names)
        } catch {
            return GroupResult(names.map { GroupResult.Entry(host: $0, result: .failure(ErrorResult(error))) })
        }
        return await each { tunnel in try await tunnel.fetchTree(remotePath, to: paths[tunnel.name]!) }
    }
}
