import Chopsticks
import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// Questions asked on the terminal while a command runs: a yes/no answer (`trust`) and a password without
/// echo (`password`). The line is read in the terminal's own cooked mode (libedit is idle during commands);
/// for a password, ECHO is off for the one line and restored whatever happens.
enum TerminalPrompt {
    /// Whether the user answered yes (`y` or `yes`); no on anything else, Ctrl-C or Ctrl-D.
    static func confirm(_ question: String) async -> Bool {
        guard var answer = await readLine(question, echo: true) else { return false }
        defer { wipe(&answer) }
        let text = String(decoding: answer, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
        return text == "y" || text == "yes"
    }

    /// The password typed, or nil on Ctrl-C, Ctrl-D or an empty line.
    static func secret(_ prompt: String) async -> Secret? {
        guard var bytes = await readLine(prompt, echo: false), !bytes.isEmpty else { return nil }
        defer { wipe(&bytes) }
        return Secret(bytes)
    }

    /// One line from fd 0 (without its newline), or nil when cancelled (Ctrl-C) or at end of input.
    private static func readLine(_ prompt: String, echo: Bool) async -> [UInt8]? {
        let cancelled = NIOLockedValueBox(false)
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(returning: readLineBlocking(prompt, echo: echo, cancelled: cancelled))
                }
            }
        } onCancel: {
            cancelled.withLockedValue { $0 = true }
        }
    }

    private static func readLineBlocking(_ prompt: String, echo: Bool, cancelled: NIOLockedValueBox<Bool>)
        -> [UInt8]?
    {
        Terminal.writeError(prompt)
        var saved = termios()
        let restore = !echo && tcgetattr(0, &saved) == 0
        if restore {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            _ = tcsetattr(0, TCSAFLUSH, &quiet)
        }
        defer {
            if restore {
                _ = tcsetattr(0, TCSAFLUSH, &saved)
                Terminal.writeError("\n")
            }
        }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        // Bounded: a line longer than any password or answer ends the read.
        while line.count < 4096 {
            if cancelled.withLockedValue({ $0 }) {
                wipe(&line)
                return nil
            }
            var poller = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, 100)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = read(0, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                wipe(&line)
                return nil
            }
            if byte == 0x0A { break }
            line.append(byte)
        }
        byte = 0
        if line.last == 0x0D { line.removeLast() }
        return line
    }

    /// Zeroes `bytes` in place, then empties it.
    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = 0 }
        }
        bytes.removeAll()
    }
}
