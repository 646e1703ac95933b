import CEditLine
import ChopShell
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// libedit's native API behind a small Swift type: prompt, emacs keys, history file, Tab completion.
///
/// `@unchecked Sendable`: EditLine is not thread-safe, so every call happens on one thread at a time —
/// `readLine` runs on a dedicated thread and the caller waits for it before touching the editor again.
final class LineEditor: @unchecked Sendable {
    enum Input {
        case line(String)
        /// Ctrl-C at the prompt: the line is dropped.
        case interrupted
        /// Ctrl-D on an empty line, or the terminal went away.
        case endOfFile
    }

    private let editor: OpaquePointer
    private let history: OpaquePointer
    private let historyFile: String?
    /// The prompt as C text, kept alive while libedit may read it.
    private var promptBuffer: [CChar] = [0]
    /// Candidates for Tab; called on the editing thread, so it must answer from memory.
    var completer: (String) -> (word: String, candidates: [String]) = { _ in ("", []) }

    /// Marks the start and end of invisible (colour) sequences in the prompt, so the cursor lands right.
    static let promptMarker: CChar = 1

    init(program: String, historyFile: String?, historySize: Int32 = 2000) {
        editor = chop_el_init(program)
        history = history_init()
        self.historyFile = historyFile
        chop_history_setsize(history, historySize)
        chop_history_setunique(history, 1)
        chop_el_set_history(editor, history)
        chop_el_set_editor(editor, "emacs")
        // 0: libedit must not re-send signals to our whole process group (the tunnels' children).
        chop_el_set_signal(editor, 0)
        chop_el_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
        chop_el_set_prompt_esc(
            editor,
            { editor in
                guard let editor, let data = chop_el_get_clientdata(editor) else { return nil }
                let me = Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
                return me.promptBuffer.withUnsafeMutableBufferPointer { $0.baseAddress }
            }, Self.promptMarker)
        // Functions must be added before they are bound.
        chop_el_addfn(
            editor, "chop-complete", "complete a command, host name or path",
            { editor, _ in
                guard let editor, let data = chop_el_get_clientdata(editor) else { return UInt8(CC_ERROR) }
                return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue().complete()
            })
        chop_el_bind(editor, "^I", "chop-complete")
        if let historyFile {
            try? FileManager.default.createDirectory(
                atPath: (historyFile as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            chop_history_load(history, historyFile)
        }
    }

    deinit {
        el_end(editor)
        history_end(history)
    }

    /// Reads one line with `prompt`. Blocks: call it from a dedicated thread.
    func readLine(prompt: String) -> Input {
        promptBuffer = Array(prompt.utf8CString)
        var count: Int32 = 0
        errno = 0
        guard let pointer = el_gets(editor, &count) else {
            return errno == EINTR ? .interrupted : .endOfFile
        }
        var line = String(cString: pointer)
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }

    /// Adds a line to history (consecutive duplicates are dropped by libedit).
    func remember(_ line: String) {
        chop_history_enter(history, line)
    }

    /// Saves history readable by the user alone (0600): libedit would create it with the umask's 0644.
    func saveHistory() {
        guard let historyFile else { return }
        let fd = open(historyFile, O_WRONLY | O_CREAT, 0o600)
        if fd >= 0 { close(fd) }
        chmod(historyFile, 0o600)
        chop_history_save(history, historyFile)
    }

    /// Tab: one candidate completes in place; several insert their common prefix, or are listed.
    private func complete() -> UInt8 {
        guard let info = el_line(editor)?.pointee, let start = info.buffer else { return UInt8(CC_ERROR) }
        let length = info.cursor - start
        let typed = String(
            decoding: UnsafeRawBufferPointer(start: start, count: length).bindMemory(to: UInt8.self), as: UTF8.self)
        let (word, candidates) = completer(typed)
        if candidates.isEmpty { return UInt8(CC_ERROR) }
        if candidates.count == 1 {
            let rest = String(candidates[0].dropFirst(word.count))
            el_insertstr(editor, rest + (rest.hasSuffix("/") || candidates[0].hasSuffix("/") ? "" : " "))
            return UInt8(CC_REFRESH)
        }
        let common = CompletionEngine.commonPrefix(candidates)
        if common.count > word.count {
            el_insertstr(editor, String(common.dropFirst(word.count)))
            return UInt8(CC_REFRESH)
        }
        Terminal.write(CompletionEngine.listing(candidates, width: Terminal.width()))
        return UInt8(CC_REDISPLAY)
    }
}
