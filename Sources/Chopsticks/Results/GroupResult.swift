/// The results of one operation on every member of a group, in member order.
///
/// Each entry is a value or an `ErrorResult`: one failing host never hides the others' results.
public struct GroupResult<Value: OperationValue>: Sendable, RandomAccessCollection {
    public struct Entry: Sendable {
        public var host: String
        public var result: Result<Value, ErrorResult>

        public init(host: String, result: Result<Value, ErrorResult>) {
            self.host = host
            self.result = result
        }

        /// The value, when the host answered.
        public var value: Value? { try? result.get() }
        public var error: ErrorResult? {
            if case .failure(let error) = result { return error }
            return nil
        }
        /// True when the host errored or its value counts as a failure (e.g. a non-zero exit).
        public var isFailure: Bool { error != nil || value?.isFailure == true }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry]) { self.entries = entries }

    public var startIndex: Int { entries.startIndex }
    public var endIndex: Int { entries.endIndex }
    public subscript(position: Int) -> Entry { entries[position] }

    /// The result for `host`, if it is a member.
    public subscript(host host: String) -> Result<Value, ErrorResult>? {
        entries.first { $0.host == host }?.result
    }

    /// The result for `host`, if it is a member: `result["web1"]`, as chopsticks' `GroupResult` "behaves as a
    /// dictionary of results, keyed by hostname". Iterating gives each `Entry` (`host`, `result`) in group order.
    public subscript(_ host: String) -> Result<Value, ErrorResult>? { self[host: host] }

    /// Hosts whose operation succeeded, with their values.
    public func successful() -> [(host: String, value: Value)] {
        entries.compactMap { entry in
            guard !entry.isFailure, let value = entry.value else { return nil }
            return (entry.host, value)
        }
    }

    /// Hosts that errored or whose value counts as a failure.
    public func failures() -> [Entry] { entries.filter(\.isFailure) }

    /// Throws a `GroupFailure` ("2/5 hosts had failures: …") when any host failed.
    public func raiseFailures() throws(GroupFailure) {
        let failed = failures()
        guard !failed.isEmpty else { return }
        throw GroupFailure(total: entries.count, failures: failed.map { ($0.host, Self.reason($0)) })
    }

    static func reason(_ entry: Entry) -> String {
        if let error = entry.error { return error.msg }
        if let run = entry.value as? RunResult { return run.statusDescription }
        return "failed"
    }
}
