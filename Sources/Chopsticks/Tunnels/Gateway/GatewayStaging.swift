/// Files a put stages on gateways, so each gateway gets a file once and sends it to its leaves itself.
///
/// Keyed by the put's `SharedFileSource` (one per wave of `fanout` hosts) and the gateway: the first leaf of a
/// wave behind a gateway puts the file there (with its own place in the source), the others leave the source at
/// once and wait for that copy. The copy is removed when the last leaf using it is done.
actor GatewayStaging {
    static let shared = GatewayStaging()

    struct Staged: Sendable {
        var path: String
        var sha1: String
        var size: Int
    }

    private struct Key: Hashable {
        var source: ObjectIdentifier
        var gateway: String
    }

    private var entries: [Key: (task: Task<Staged, any Error>, users: Int)] = [:]

    /// The gateway's copy of `source`, put there now unless another leaf did; `consumer` is this leaf's place in
    /// the source, used or left here. Call `release` when the leaf's put is over.
    func acquire(_ source: SharedFileSource, consumer: Int, on gateway: Tunnel) async throws -> Staged {
        let key = Key(source: ObjectIdentifier(source), gateway: gateway.name)
        let task: Task<Staged, any Error>
        if let entry = entries[key] {
            entries[key]?.users += 1
            task = entry.task
            await source.leave(consumer)
        } else {
            task = Task {
                let result = try await gateway.put(from: source, as: consumer, nil, mode: 0o600)
                return Staged(path: result.remotePath, sha1: result.sha1sum, size: result.size)
            }
            entries[key] = (task, 1)
        }
        do {
            return try await task.value
        } catch {
            throw ErrorResult("gateway \(gateway.name) could not take the file: \(ErrorResult(error).msg)")
        }
    }

    /// One leaf is done with the gateway's copy; the last one removes it.
    func release(_ source: SharedFileSource, on gateway: Tunnel) async {
        let key = Key(source: ObjectIdentifier(source), gateway: gateway.name)
        guard let entry = entries[key] else { return }
        if entry.users > 1 {
            entries[key]?.users -= 1
            return
        }
        entries[key] = nil
        if let staged = try? await entry.task.value {
            _ = try? await gateway.call("os.unlink", [.string(staged.path)])
        }
    }
}
