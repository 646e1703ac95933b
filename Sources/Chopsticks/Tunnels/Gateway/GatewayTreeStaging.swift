import NIOCore

/// The files of a tree put (`put -r`, `sync`) staged on gateways, so each file goes to a gateway once and the
/// gateway sends it to each of its leaves that wants it (`leaf_tree_feed`).
///
/// Keyed by the wave's `TreeFeed` and the gateway's connection. Each leaf, once its agent compared, claims the
/// files it wants that no other leaf of the same wave and gateway claimed: it reads those from the feed (its own
/// place in it, so the feed still reads each file once) and puts them on the gateway; the files it wants and
/// others claimed it waits for. The feed reads only once every host of the wave registered, so every claim is
/// made before any file is staged, and a claim is only ever waited for by a leaf that made its own first. The
/// last leaf of a wave and gateway to finish removes the staged copies.
actor GatewayTreeStaging {
    static let shared = GatewayTreeStaging()

    /// A file on the gateway (`path` there; `entry`: its path in the tree), or why it is not there (the leaf is
    /// told with an X frame).
    enum Staged: Sendable {
        case file(path: String, sha1: String, size: Int, entry: [UInt8])
        case failed(String)
    }

    struct Key: Hashable {
        var feed: ObjectIdentifier
        var gateway: ObjectIdentifier
    }

    private struct Entry {
        var claimed: Set<Int> = []
        var staged: [Int: Staged] = [:]
        var users = 0
        var waiting: [CheckedContinuation<Void, Never>] = []
    }
    private var entries: [Key: Entry] = [:]

    /// The files of `wanted` this leaf stages itself (claimed now); the leaf is a user of the staging until
    /// `release`.
    func claim(_ key: Key, wanted: [Int]) -> [Int] {
        var entry = entries[key] ?? Entry()
        entry.users += 1
        let mine = wanted.filter { entry.claimed.insert($0).inserted }
        entries[key] = entry
        return mine
    }

    /// File `index` is on the gateway (or failed to get there): the leaves waiting for it go on. The first word
    /// on a file stands.
    func staged(_ key: Key, _ index: Int, _ result: Staged) {
        guard entries[key] != nil, entries[key]!.staged[index] == nil else { return }
        entries[key]!.staged[index] = result
        let woken = entries[key]!.waiting
        entries[key]!.waiting.removeAll()
        for continuation in woken { continuation.resume() }
    }

    /// Waits until every file of `wanted` is staged or failed.
    func results(_ key: Key, wanted: [Int]) async -> [Int: Staged] {
        while true {
            guard let entry = entries[key] else { return [:] }
            let missing = wanted.contains { entry.staged[$0] == nil }
            if !missing { return entry.staged.filter { wanted.contains($0.key) } }
            await withCheckedContinuation { entries[key]!.waiting.append($0) }
        }
    }

    /// The leaf is done with the gateway's copies; the last one removes them (on `gateway`, its connection).
    func release(_ key: Key, on gateway: AgentConnection) async {
        guard var entry = entries[key] else { return }
        entry.users -= 1
        guard entry.users <= 0 else {
            entries[key] = entry
            return
        }
        entries[key] = nil
        for continuation in entry.waiting { continuation.resume() }
        let paths: [JSONValue] = entry.staged.values.compactMap {
            if case .file(let path, _, _, _) = $0 { return .string(path) }
            return nil
        }
        guard !paths.isEmpty else { return }
        _ = try? await gateway.request(
            "gateway_unstage", ["paths": .array(paths)], reply: AgentConnection.GatewayReply.self)
    }
}
