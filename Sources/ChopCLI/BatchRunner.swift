import ChopShell
import Foundation

/// Batch mode: a script, `-c` commands or a pipe, with no prompt, no colour and no progress line.
/// Exit status: 0 all good, 1 some host failed, 2 usage or script error, 130 after Ctrl-C.
struct BatchRunner {
    let session: Session
    let echo: Bool

    func run(_ text: String, name: String, semicolons: Bool = false) async -> Int32 {
        let session = self.session
        let echo = self.echo
        let task = Task { await session.runScript(text, name: name, echo: echo, semicolons: semicolons) }
        let result = await Interrupts.waiting(for: task)
        if result == .quit { return 0 }
        return status(result, interrupted: task.isCancelled)
    }

    /// Reads commands from stdin as they come, so a producer can feed chop as it goes. A line that leaves a
    /// quote open or ends in `\` waits for the next one: stdin is read with the same rules as a script.
    func runStandardInput() async -> Int32 {
        var worst = CommandResult.ok
        var number = 0
        var pending: (text: String, firstLine: Int)?
        while let raw = readLine(strippingNewline: true) {
            number += 1
            let chunk: (text: String, firstLine: Int) =
                pending.map { ($0.text + "\n" + raw, $0.firstLine) } ?? (raw, number)
            do {
                _ = try CommandLineSplitter.numberedCommands(chunk.text, semicolons: false)
                pending = nil
            } catch {
                pending = chunk
                continue
            }
            let session = self.session
            let echo = self.echo
            let task = Task {
                await session.runScript(chunk.text, name: "stdin", echo: echo, firstLine: chunk.firstLine)
            }
            let result = await Interrupts.waiting(for: task)
            if task.isCancelled { return 130 }
            switch result {
            case .error: return 2
            case .hostsFailed:
                worst = .hostsFailed
                if await session.settings.errexit { return 1 }
            case .quit: return status(worst, interrupted: false)
            case .ok: break
            }
            if await session.quitRequested { return status(worst, interrupted: false) }
        }
        if let pending {
            // The input ended inside a quote or after a `\`: report it with its line.
            _ = await session.runScript(pending.text, name: "stdin", firstLine: pending.firstLine)
            return 2
        }
        return status(worst, interrupted: false)
    }

    private func status(_ result: CommandResult, interrupted: Bool) -> Int32 {
        if interrupted { return 130 }
        switch result {
        case .ok, .quit: return 0
        case .hostsFailed: return 1
        case .error: return 2
        }
    }
}
