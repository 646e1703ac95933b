import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Spawns the children of members that connect together in one tight loop, once every one of them knows its
/// command, instead of each member spawning its own on the way through its connect.
///
/// Why: each member gets to its spawn through a few task and actor hops, and every ssh already started takes
/// a core for its key exchange. On two cores the tenth ssh of ten then started 40–60 ms after the first, where
/// N parallel `ssh` from a shell start within a few: that wait was most of chop's cold start over the ssh floor
/// at N = 10 (issue #25, item 5). Members join while the group starts their connects (`join`), the group
/// seals the batch when all have joined, and the last of them to reach `spawn` spawns for all.
///
/// Only a member whose way to its spawn cannot wait on another member may join: a plain SSH member, not one
/// behind a jump host (its connect waits at `HopGate` for the first member's master) nor any kind whose
/// launch may take long (a container being made). A member that joined and will not spawn calls `withdraw`.
final class SpawnBatch: Sendable {
    private struct Waiting: Sendable {
        let argv: [String]
        let continuation: CheckedContinuation<Result<ChildProcess, SpawnError>, Never>
    }

    private struct State: Sendable {
        var sealed = false
        var joined = 0
        var settled = 0
        var waiting: [Waiting] = []
    }

    private let state = NIOLockedValueBox(State())

    init() {}

    /// A member will reach `spawn` (or `withdraw`) with this batch.
    func join() {
        state.withLockedValue { $0.joined += 1 }
    }

    /// No member joins any more: the batch spawns once every member that joined has come.
    func seal() {
        release(
            state.withLockedValue { state in
                state.sealed = true
                return Self.ready(&state)
            })
    }

    /// A member that joined goes its own way (it does not spawn here).
    func withdraw() {
        release(
            state.withLockedValue { state in
                state.settled += 1
                return Self.ready(&state)
            })
    }

    /// Spawns `argv` with the rest of the batch, as `ChildProcess.spawn(argv)` would alone.
    func spawn(_ argv: [String]) async throws -> ChildProcess {
        let result = await withCheckedContinuation { continuation in
            release(
                state.withLockedValue { state in
                    state.waiting.append(Waiting(argv: argv, continuation: continuation))
                    state.settled += 1
                    return Self.ready(&state)
                })
        }
        return try result.get()
    }

    /// The members to spawn now, if the batch is complete (taken out of the state, so only once).
    private static func ready(_ state: inout State) -> [Waiting] {
        guard state.sealed, state.settled >= state.joined, !state.waiting.isEmpty else { return [] }
        defer { state.waiting = [] }
        return state.waiting
    }

    private func release(_ members: [Waiting]) {
        // Every child first, then the members go on: no member's set-up runs between two spawns.
        let spawned = members.map { member -> Result<ChildProcess, SpawnError> in
            do {
                return .success(try ChildProcess.spawn(member.argv))
            } catch let error as SpawnError {
                return .failure(error)
            } catch {
                return .failure(SpawnError(command: member.argv[0], errno: EIO))
            }
        }
        for (member, result) in zip(members, spawned) { member.continuation.resume(returning: result) }
    }
}
