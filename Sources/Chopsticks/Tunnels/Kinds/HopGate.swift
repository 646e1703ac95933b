/// Lets one member at a time open a jump host's shared master; the others through that hop wait for it.
///
/// Why: members that all start at once would each find no master, each open a connection of their own to the
/// jump host (ssh falls back to one when another became master first), and a bastion at its default
/// `MaxStartups` drops the ones beyond ten. The first member (the pioneer) connects alone; the others go once
/// it has its answer, through its master.
actor HopGate {
    static let shared = HopGate()

    /// Hops whose pioneer is connecting, with the members waiting for it.
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    /// Returns true for the pioneer (which must call `leave(key)` once its connect has an outcome); for the
    /// others, returns once the pioneer left, or at once when `ready` already says the master is there.
    func enter(_ key: String, ready: @Sendable () -> Bool) async -> Bool {
        if ready() { return false }
        guard waiting[key] != nil else {
            waiting[key] = []
            return true
        }
        await withCheckedContinuation { waiting[key, default: []].append($0) }
        return false
    }

    /// The pioneer's connect has an outcome: the members waiting behind it go.
    func leave(_ key: String) {
        for waiter in waiting.removeValue(forKey: key) ?? [] { waiter.resume() }
    }
}
