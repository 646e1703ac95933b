import ChopShell
import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// The interactive loop: prompt, read a line with libedit (on its own thread), run it, repeat.
/// Ctrl-C during an operation interrupts it and returns to the prompt; Ctrl-C at the prompt clears the
/// line; Ctrl-D or `quit` ends the session.
struct InteractiveShell {
    let session: Session

    func run() async -> Int32 {
        let editor = LineEditor(program: "chop", historyFile: Self.historyPath())
        let candidates = CompletionSources(session: session)
        editor.completer = { candidates.engine().complete($0) }
        candidates.update(
            members: await session.memberNames, results: await session.resultNumbers,
            groups: await session.inventoryGroupNames)
        Terminal.writeError("chop \(Chop.version): 'help' lists commands, Tab completes, Ctrl-D quits.\n")
        while true {
            let prompt = Self.style(await session.prompt(), color: await session.usesColor)
            let input = await withCheckedContinuation { continuation in
                Thread.detachNewThread { continuation.resume(returning: editor.readLine(prompt: prompt)) }
            }
            switch input {
            case .endOfFile:
                Terminal.write("\n")
                editor.saveHistory()
                return 0
            case .interrupted:
                Terminal.write("^C\n")
                continue
            case .line(let line):
                if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
                // bash's ignorespace: a line typed with a leading space (a secret in it, say) is not kept, nor
                // one that sets a secret variable.
                if !line.hasPrefix(" "), !Session.setsSecret(line) { editor.remember(line) }
                let session = self.session
                let task = Task { await session.execute(line) }
                let result = await Interrupts.waiting(for: task)
                candidates.update(
                    members: await session.memberNames, results: await session.resultNumbers,
                    groups: await session.inventoryGroupNames)
                if result == .quit {
                    editor.saveHistory()
                    return 0
                }
            }
        }
    }

    /// Colours the prompt: "chop" bold, "(N down)" red. Escape codes sit between libedit's markers so the
    /// cursor position is computed on the visible text only.
    static func style(_ prompt: String, color: Bool) -> String {
        guard color else { return prompt }
        let mark = String(UnicodeScalar(UInt8(LineEditor.promptMarker)))
        func paint(_ text: String, _ code: String) -> String {
            mark + "\u{1B}[\(code)m" + mark + text + mark + "\u{1B}[0m" + mark
        }
        var styled = prompt
        if styled.hasPrefix("chop") { styled = paint("chop", "1") + styled.dropFirst(4) }
        if let range = styled.range(of: #"\(\d+ down\)"#, options: .regularExpression) {
            styled.replaceSubrange(range, with: paint(String(styled[range]), "31"))
        }
        return styled
    }

    /// `$XDG_STATE_HOME/chop/history`, by default `~/.local/state/chop/history`.
    static func historyPath() -> String {
        Terminal.stateFolder + "/chop/history"
    }
}
