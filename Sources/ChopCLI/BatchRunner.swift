import ChopShell
import Foundation

/// Batch mode: a script, `-c` commands or a pipe, with no prompt, no colour and no progress line.
/// Exit status: 0 all good, 1 some host failed, 2 usage or script error, 130 after Ctrl-C.
struct BatchRunner {
    let session: Session
    let echo: Bool

    func run(_ text: String, name: String) async -> Int32 {
        let session = self.session
        let echo = self.echo
        let task = Task { await session.runScript(text, name: name, echo: echo) }
        let result = await Interrupts.waiting(for: task)
        if result == .quit { return 0 }
        return status(result, interrupted: task.isCancelled)
    }

    /// Reads commands line by line from stdin, so a producer can feed chop as it goes.
    func runStandardInput() async -> Int32 {
        var worst = CommandResult.ok
        var number = 0
        var pending: String?
        while let raw = readLine(strippingNewline: true) {
            number += 1
            if let continued = Session.continuation(raw) {
                pending = Session.joined(pending, continued)
                continue
            }
            let line = Session.joined(pending, raw)
            pending = nil
            let session = self.session
            let echo = self.echo
            let location = "stdin:\(number)"
            let task = Task { await session.runScript(line, name: location, echo: echo) }
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
