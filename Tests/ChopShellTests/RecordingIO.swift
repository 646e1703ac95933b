import ChopShell
import Foundation

/// A `ShellIO` that keeps what a session prints, so command behaviour is tested in-process, without a terminal.
final class RecordingIO: @unchecked Sendable {
    // @unchecked: every access to `out` and `err` goes through `lock`.
    private let lock = NSLock()
    private var out: [String] = []
    private var err: [String] = []

    var io: ShellIO {
        ShellIO(
            print: { line in self.lock.withLock { self.out.append(line) } },
            error: { line in self.lock.withLock { self.err.append(line) } })
    }

    /// The stdout lines so far, and forgets them.
    func takeOut() -> [String] {
        lock.withLock {
            defer { out.removeAll() }
            return out
        }
    }

    /// The stdout lines so far, kept.
    func peekOut() -> [String] {
        lock.withLock { out }
    }

    /// The stderr lines so far, and forgets them.
    func takeErr() -> [String] {
        lock.withLock {
            defer { err.removeAll() }
            return err
        }
    }
}
