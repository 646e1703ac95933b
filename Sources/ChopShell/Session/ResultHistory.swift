import Foundation

/// The numbered results of a session (`%1`, `%2`, …), the newest last, at most `capacity` of them.
///
/// Numbers are never reused, so `%7` means the same result for as long as it is kept. Each entry keeps its
/// result sets (`ok`, `failed`, `outliers`) for `@%7.failed`-style targets.
public struct ResultHistory: Sendable {
    public struct Entry: Sendable {
        public var number: Int
        public var report: OperationReport
        public var date: Date
        /// `ok`, `failed` and `outliers` of this result.
        public var sets: [String: [String]]
    }

    public private(set) var entries: [Entry] = []
    private var next = 1
    /// How many results are kept; older ones are dropped first.
    public var capacity: Int {
        didSet { trim() }
    }

    public init(capacity: Int = 100) {
        self.capacity = max(1, capacity)
    }

    /// The number the next result will get.
    public var nextNumber: Int { next }

    /// Keeps `report` under the next number and returns that number, and the numbers of results it pushed out
    /// of the history.
    @discardableResult
    public mutating func append(_ report: OperationReport, sets: [String: [String]], date: Date = Date()) -> (
        number: Int, dropped: [Int]
    ) {
        let number = next
        next += 1
        var numbered = report
        numbered.number = number
        entries.append(Entry(number: number, report: numbered, date: date, sets: sets))
        return (number, trim())
    }

    /// The result numbered `number`, if it is still kept.
    public func entry(_ number: Int) -> Entry? {
        entries.last { $0.number == number }
    }

    /// `%N` as typed: the number, or nil when the word is not a result reference.
    public static func reference(_ word: String) -> Int? {
        guard word.hasPrefix("%"), let number = Int(word.dropFirst()), number > 0 else { return nil }
        return number
    }

    @discardableResult
    private mutating func trim() -> [Int] {
        guard entries.count > capacity else { return [] }
        let dropped = entries.prefix(entries.count - capacity).map(\.number)
        entries.removeFirst(entries.count - capacity)
        return dropped
    }
}
