import ChopShell
import Foundation

/// How a session's output reaches the terminal or the pipe: results on stdout, notices on stderr, and on a
/// terminal a live progress line that is cleared before results are printed.
struct Console: Sendable {
    let interactive: Bool

    func io(colorAllowed: Bool) -> ShellIO {
        var progress: (@Sendable (String?) -> Void)?
        if interactive && Terminal.stderrIsTTY {
            // \r and "erase to end of line": the progress line never scrolls the screen.
            progress = { line in Terminal.writeError("\r\u{1B}[K" + (line ?? "")) }
        }
        let print: @Sendable (String) -> Void = { Terminal.write($0 + "\n") }
        let error: @Sendable (String) -> Void = { Terminal.writeError($0 + "\n") }
        let width: @Sendable () -> Int = { Terminal.width() }
        // Only an interactive session on a terminal pages; batch mode and pipes never do.
        let page: (@Sendable ([String]) async -> Bool)? =
            interactive && Terminal.stdoutIsTTY ? { @Sendable lines in await Pager.show(lines) } : nil
        // Questions only where someone can answer them: an interactive session on a terminal.
        let asks = interactive && Terminal.stdinIsTTY
        return ShellIO(
            print: print, error: error, progress: progress, width: width,
            colorByDefault: colorAllowed && Terminal.stdoutIsTTY, page: page,
            confirm: asks ? { @Sendable question in await TerminalPrompt.confirm(question) } : nil,
            askSecret: asks ? { @Sendable prompt in await TerminalPrompt.secret(prompt) } : nil)
    }
}
