import Chopsticks
import Foundation

/// A real terminal for end-to-end tests: a detached tmux session running one command, driven with
/// send-keys and read with capture-pane. Every wait is bounded.
public final class Tmux: Sendable {
    public let name: String
    /// A tmux server of our own (`tmux -L`), so tests never touch the developer's sessions and a server
    /// started here never holds one of our pipes.
    static let socket = "chop-tests-\(getpid())"

    /// Starts `command` (a shell command line) in a new tmux session of the given size.
    public init(_ command: String, width: Int = 120, height: Int = 40, environment: [String: String] = [:]) throws {
        name = "chop-test-" + UUID().uuidString.prefix(8)
        var arguments = ["new-session", "-d", "-s", name, "-x", String(width), "-y", String(height)]
        for (key, value) in environment { arguments += ["-e", "\(key)=\(value)"] }
        arguments.append(command)
        // The first command starts the server, which must not inherit our output pipe: send it to a file.
        let log = NSTemporaryDirectory() + "\(name).log"
        defer { try? FileManager.default.removeItem(atPath: log) }
        let line = (["tmux", "-L", Self.socket] + arguments).map(shellQuote).joined(separator: " ")
        // When the previous test killed the last session, its server is still exiting: a client that reaches
        // it then reads "server exited unexpectedly". That is the old server's end, not this test's: try again
        // (a few times, a moment apart) with the server gone.
        for attempt in 1...5 {
            let result = try Command.run(["/bin/sh", "-c", "\(line) >\(log) 2>&1 </dev/null"])
            if result.status == 0 { return }
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard output.contains("server exited unexpectedly"), attempt < 5 else {
                throw Command.Failure("tmux new-session failed: \(output)")
            }
            usleep(200_000)
        }
    }

    /// The binary under test, next to the test bundle in the build folder.
    public static var chopBinary: String {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("chop").path
    }

    /// Whether tmux is installed (CI installs it; elsewhere tests skip with this reason).
    public static var available: Bool { (try? Command.run(["tmux", "-V"]).status) == 0 }

    /// Types keys: literal text, or tmux key names such as "Enter", "Tab", "C-c", "C-d".
    public func send(_ keys: String...) throws {
        try tmux(["send-keys", "-t", name] + keys)
    }

    /// Types `text` literally, then Enter.
    public func type(_ text: String) throws {
        try tmux(["send-keys", "-t", name, "-l", text])
        try tmux(["send-keys", "-t", name, "Enter"])
    }

    /// The visible screen.
    public func screen() -> String {
        (try? tmux(["capture-pane", "-p", "-t", name]).output) ?? ""
    }

    /// Waits until `predicate(screen)` holds, at most `timeout` seconds; returns the last screen.
    @discardableResult
    public func wait(timeout: Double = 10, until predicate: (String) -> Bool) -> (Bool, String) {
        var text = ""
        let found = eventually(timeout: timeout) {
            text = screen()
            return predicate(text)
        }
        return (found, text)
    }

    /// Waits until the screen contains `text` `count` times.
    @discardableResult
    public func wait(for text: String, count: Int = 1, timeout: Double = 10) -> (Bool, String) {
        wait(timeout: timeout) { $0.components(separatedBy: text).count - 1 >= count }
    }

    /// The PID of the pane's process (the command, when started with `exec`).
    public func panePID() -> pid_t? {
        let output = (try? tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).output) ?? ""
        return pid_t(output.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Whether the session still exists (it ends when its command exits).
    public var isRunning: Bool { (try? tmux(["has-session", "-t", name]).status) == 0 }

    @discardableResult
    private func tmux(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try Command.run(["tmux", "-L", Self.socket] + arguments)
    }

    public func kill() {
        _ = try? tmux(["kill-session", "-t", name])
    }
}

extension Command {
    /// A fixture command failed.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }
}
