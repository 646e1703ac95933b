import ChopShell
import Chopsticks
import Foundation

/// Long output through `$PAGER` (default `less -R -F -X`), as git does. The lines are chop's own rendering, already
/// sanitised: a host's escape sequences never reach the pager, only chop's colours.
enum Pager {
    /// The pager command: `$PAGER` when set, else `less -R -F -X`.
    static var command: String {
        let pager = ProcessInfo.processInfo.environment["PAGER"] ?? ""
        return pager.isEmpty ? "less -R -F -X" : pager
    }

    /// Pages `lines` when they are taller than the terminal; false when they fit (the caller prints them) or
    /// the pager cannot start.
    static func show(_ lines: [String]) async -> Bool {
        guard lines.count >= Terminal.height() - 1 else { return false }
        return await LocalCommand.run(command, input: lines.joined(separator: "\n") + "\n") != nil
    }
}
