import NIOConcurrencyHelpers

/// The fact names the agents reported in their hello, readable from any thread: Tab completion on the line
/// editor's thread reads them while members connect in the background.
public final class FactNames: Sendable {
    private let names = NIOLockedValueBox<[String]>([])

    public init() {}

    /// The names, once an agent has reported them; empty before.
    public var current: [String] { names.withLockedValue { $0 } }

    /// Keeps the first non-empty list an agent reports.
    func offer(_ reported: [String]) {
        guard !reported.isEmpty else { return }
        names.withLockedValue { if $0.isEmpty { $0 = reported } }
    }
}
