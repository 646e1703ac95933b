import Foundation
import NIOConcurrencyHelpers
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// Seeded, bounded fuzzing for the parsers: many cases, each from its own seed, so any failure can be replayed.
///
/// Case `i` of a run draws from `SplitMix64(seed: Fuzz.seed(base, i))`. A failing case is reported with its seed;
/// `CHOP_FUZZ_SEED=<seed> swift test --filter <test>` then runs that one case again. A case that crashes the
/// process (a trap, a bad access) or runs longer than `hangSeconds` prints its seed on stderr before the process
/// ends, since no assertion can report it.
public enum Fuzz {
    /// What a run did, for the test's own checks and for timing reports.
    public struct Report: Sendable {
        public var cases: Int
        public var seconds: Double
    }

    /// The seed of case `index` of a run that starts at `base`.
    public static func seed(_ base: UInt64, _ index: Int) -> UInt64 {
        base &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03
    }

    /// The case to replay (`CHOP_FUZZ_SEED`, decimal or 0x-hex), if any.
    public static var replaySeed: UInt64? {
        guard let text = ProcessInfo.processInfo.environment["CHOP_FUZZ_SEED"] else { return nil }
        return text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16) : UInt64(text)
    }

    /// Runs `cases` cases of `body` (one, when `CHOP_FUZZ_SEED` is set). `body` returns nil when the case
    /// behaved, or what went wrong. At most `maximumFailures` failures are reported; a run that takes longer
    /// than `seconds` fails too, as does any single case over `hangSeconds`, which ends the process. Both are
    /// hang catchers, not speed targets: 100,000 cases take 5–30 s in a debug build on 2 cores, so the default
    /// run bound (600 s) fails only a pathological input, never a loaded machine.
    @discardableResult
    public static func run(
        _ name: String, base: UInt64, cases: Int, seconds: Double = 600, hangSeconds: Double = 10,
        maximumFailures: Int = 5, file: StaticString = #filePath, line: UInt = #line,
        _ body: (inout SplitMix64) -> String?
    ) -> Report {
        let seeds: [UInt64]? = replaySeed.map { [$0] }
        let total = seeds?.count ?? cases
        let watchdog = Watchdog(hangSeconds: hangSeconds)
        defer { watchdog.stop() }
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(Int(seconds * 1000))
        var failures = 0
        var done = 0
        for index in 0..<total {
            let caseSeed = seeds?[index] ?? seed(base, index)
            watchdog.begin(caseSeed)
            var generator = SplitMix64(seed: caseSeed)
            if let problem = body(&generator) {
                failures += 1
                XCTFail(
                    "\(name): \(problem) — replay with CHOP_FUZZ_SEED=\(caseSeed) swift test --filter <this test>",
                    file: file, line: line)
                if failures >= maximumFailures { break }
            }
            done += 1
            // Checked every 1,000 cases: reading the clock each time would cost more than some cases.
            if index % 1000 == 999, ContinuousClock.now > deadline {
                XCTFail(
                    "\(name): \(done) of \(total) cases took over \(seconds) s (base seed \(base)): "
                        + "some input is pathologically slow", file: file, line: line)
                break
            }
        }
        let elapsed = ContinuousClock.now - started
        let report = Report(
            cases: done,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        print("fuzz \(name): \(report.cases) cases in \(String(format: "%.2f", report.seconds)) s, base seed \(base)")
        return report
    }
}

/// The seed of the case running now, read by the crash handler (which can take no lock) and by the watchdog.
nonisolated(unsafe) private var currentSeed: UInt64 = 0
/// When the case running now started (monotonic nanoseconds), 0 between runs.
nonisolated(unsafe) private var caseStarted: UInt64 = 0
/// A buffer the crash handler formats into, allocated once: a handler must not allocate.
nonisolated(unsafe) private let crashMessage = UnsafeMutablePointer<UInt8>.allocate(capacity: 128)
/// The handlers in place before a run, by signal number, to hand a crash on to (Swift's backtracer).
nonisolated(unsafe) private let previousActions = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
private let crashSignals = [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT]

private func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Writes "fuzz case crashed or hung: replay with CHOP_FUZZ_SEED=<seed>" on stderr, without allocating.
private func writeReplayLine() {
    var length = 0
    for byte in "\nfuzz case crashed or hung: replay with CHOP_FUZZ_SEED=".utf8 {
        crashMessage[length] = byte
        length += 1
    }
    // At most 20 digits: written backwards at the end of the buffer, then moved after the text.
    var value = currentSeed
    var count = 0
    repeat {
        crashMessage[127 - count] = UInt8(ascii: "0") + UInt8(value % 10)
        value /= 10
        count += 1
    } while value > 0
    for offset in 0..<count {
        crashMessage[length] = crashMessage[128 - count + offset]
        length += 1
    }
    crashMessage[length] = UInt8(ascii: "\n")
    _ = write(2, crashMessage, length + 1)
}

/// Reports the seed of a case that crashes or hangs; in place for the length of one `Fuzz.run`.
private final class Watchdog: Sendable {
    private let active = NIOLockedValueBox(true)

    init(hangSeconds: Double) {
        let limit = UInt64(hangSeconds * 1e9)
        let active = self.active
        for signalNumber in crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signalNumber in
                writeReplayLine()
                sigaction(signalNumber, previousActions + Int(signalNumber), nil)
                raise(signalNumber)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signalNumber, &action, previousActions + Int(signalNumber))
        }
        Thread.detachNewThread {
            while active.withLockedValue({ $0 }) {
                usleep(100_000)
                let started = caseStarted
                if started != 0, monotonicNanoseconds() &- started > limit {
                    writeReplayLine()
                    abort()
                }
            }
        }
    }

    func begin(_ seed: UInt64) {
        currentSeed = seed
        caseStarted = monotonicNanoseconds()
    }

    func stop() {
        caseStarted = 0
        for signalNumber in crashSignals { sigaction(signalNumber, previousActions + Int(signalNumber), nil) }
        active.withLockedValue { $0 = false }
    }
}
