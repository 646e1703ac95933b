import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// Counts started and finished hosts for the live progress line; written from many tasks, read by the ticker.
final class ProgressTracker: Sendable {
    let total: Int
    private let state = NIOLockedValueBox(
        (done: 0, failed: 0, seconds: [String: Double](), running: [String](), started: 0))

    init(total: Int) { self.total = total }

    func started(_ host: String) {
        state.withLockedValue {
            $0.running.append(host)
            $0.started += 1
        }
    }

    func finished(_ host: String, failed: Bool, at seconds: Double) {
        state.withLockedValue {
            $0.done += 1
            if failed { $0.failed += 1 }
            $0.seconds[host] = seconds
            if let index = $0.running.firstIndex(of: host) { $0.running.remove(at: index) }
        }
    }

    /// The hosts still running, the longest-running first: the slowest ones.
    var running: [String] { state.withLockedValue { $0.running } }

    var counts: (Int, Int) { state.withLockedValue { ($0.done, $0.failed) } }
    var seconds: [String: Double] { state.withLockedValue { $0.seconds } }
}
