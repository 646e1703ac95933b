import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// Counts finished hosts for the live progress line; written from many tasks, read by the ticker.
final class ProgressTracker: Sendable {
    let total: Int
    private let state = NIOLockedValueBox((done: 0, failed: 0, seconds: [String: Double]()))

    init(total: Int) { self.total = total }

    func finished(_ host: String, failed: Bool, at seconds: Double) {
        state.withLockedValue {
            $0.done += 1
            if failed { $0.failed += 1 }
            $0.seconds[host] = seconds
        }
    }

    var counts: (Int, Int) { state.withLockedValue { ($0.done, $0.failed) } }
    var seconds: [String: Double] { state.withLockedValue { $0.seconds } }
}
