import Chopsticks
import Foundation

/// Polls `condition` every 50 ms until it holds or `timeout` seconds pass: every wait in the tests is bounded.
/// - Returns: whether the condition held in time.
@discardableResult
public func eventually(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !condition() {
        if Date() > deadline { return false }
        usleep(50_000)
    }
    return true
}

/// `eventually` for async code: polls with `Task.sleep`, so a cooperative thread is never blocked.
@discardableResult
public func waitUntil(timeout: Double, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int(timeout * 1000))
    while !(await condition()) {
        if ContinuousClock.now > deadline { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return true
}

/// Runs `body`, but throws once `seconds` pass without an answer: a generous bound that turns a hang into a
/// failure (never a timing assertion). The body is cancelled then.
public func withinSeconds<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T)
    async throws -> T
{
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try? await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw ErrorResult("still waiting after \(seconds) s")
        }
        return value
    }
}

extension ProcessTree {
    /// Whether one of this process's descendants runs a command line that contains `text`.
    public static func isRunning(_ text: String, under pid: pid_t = getpid()) -> Bool {
        descendants(of: pid).map(commandLine).contains { $0.contains(text) }
    }

    /// Waits (bounded) until `count` descendants of `pid` run a command line starting with `prefix`, and
    /// returns all of `pid`'s descendants at that moment.
    public static func waitForDescendants(of pid: pid_t, running prefix: String, count: Int = 1, timeout: Double = 10)
        -> [pid_t]
    {
        var children: [pid_t] = []
        eventually(timeout: timeout) {
            children = descendants(of: pid)
            return children.map(commandLine).filter { $0.hasPrefix(prefix) }.count >= count
        }
        return children
    }

    /// Waits (bounded) for `pids` to end and returns the command lines of those still alive.
    public static func survivors(_ pids: [pid_t], timeout: Double = 5) -> [String] {
        eventually(timeout: timeout) { !pids.contains(where: isAlive) }
        return pids.filter(isAlive).map(commandLine)
    }
}
