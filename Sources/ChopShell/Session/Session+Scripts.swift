import Chopsticks
import Foundation

/// Running a whole script: the session's entry point for many lines (batch mode, `-c`, the init file,
/// `source`), as `execute` is for one.
extension Session {
    /// Runs a script's commands in this session. A syntax error stops it with `FILE:LINE: message`;
    /// with `errexit` on, so does the first command where a host failed.
    ///
    /// The text is split once, by `CommandLineSplitter.numberedCommands`: quotes may span lines, `\` joins
    /// lines, `#` starts a comment. `semicolons` also splits at `;` (for `-c`).
    /// - Parameters:
    ///   - echo: print each command before its result (`chop> run uptime`), as batch mode does.
    ///   - firstLine: the line number of the text's first line in its file (for stdin read in pieces).
    public func runScript(
        _ text: String, name: String, echo: Bool = false, semicolons: Bool = false, firstLine: Int = 1,
        onError: ScriptErrorPolicy = .stop
    ) async -> CommandResult {
        let commands: [CommandLineSplitter.NumberedCommand]
        do {
            commands = try CommandLineSplitter.numberedCommands(text, semicolons: semicolons)
        } catch {
            io.error("\(name):\(error.line + firstLine - 1): \(error.message)")
            return .error
        }
        var worst = CommandResult.ok
        for command in commands {
            let lineNumber = command.line + firstLine - 1
            let line = command.text
            // Syntax is checked here first so the error names the file and line.
            do {
                if try CommandParser.parse(line) == nil { continue }  // blank or comment
            } catch {
                io.error("\(name):\(lineNumber): \(error.message)")
                if onError == .skip { continue }
                return .error
            }
            // With --json, stdout holds JSON objects only: the echo is for the person watching stderr.
            if echo { say("chop> \(line)") }
            let result = await execute(line)
            switch result {
            case .quit: return .quit
            case .error where onError == .skip:
                io.error("\(name):\(lineNumber): skipped; the rest of the file still runs")
            case .error:
                io.error("\(name):\(lineNumber): stopped here")
                return .error
            case .hostsFailed:
                worst = .hostsFailed
                if settings.errexit {
                    io.error("\(name):\(lineNumber): stopped (errexit): some hosts failed")
                    return .hostsFailed
                }
            case .ok: break
            }
            if Task.isCancelled { return worst }
        }
        return worst
    }
}
