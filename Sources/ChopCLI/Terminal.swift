import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// The few terminal facts chop needs: is it a terminal, how wide, and unbuffered writes.
enum Terminal {
    /// $HOME as the user's shell sees it (Foundation's NSHomeDirectory reads the passwd entry instead).
    static var home: String {
        ProcessInfo.processInfo.environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
    }

    static var stdinIsTTY: Bool { isatty(0) == 1 }
    static var stdoutIsTTY: Bool { isatty(1) == 1 }
    static var stderrIsTTY: Bool { isatty(2) == 1 }

    /// Columns of the terminal on stdout (or stderr), 100 when neither is a terminal.
    static func width() -> Int {
        var size = winsize()
        for fd: Int32 in [1, 2] where ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 100
    }

    /// `$XDG_STATE_HOME`, by default `~/.local/state`.
    static var stateFolder: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.local/state"
    }

    /// `$XDG_CONFIG_HOME`, by default `~/.config`: where the user's own defaults (`chop/init.chop`) live.
    static var configFolder: String {
        let environment = ProcessInfo.processInfo.environment
        return environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.config"
    }

    /// The terminal's height in rows (24 when unknown).
    static func height() -> Int {
        var size = winsize()
        for fd: Int32 in [1, 2] where ioctl(fd, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 0 {
            return Int(size.ws_row)
        }
        return 24
    }

    /// Writes straight to stdout, unbuffered, so output interleaves correctly with `!commands`.
    static func write(_ text: String) { writeAll(1, text) }

    static func writeError(_ text: String) { writeAll(2, text) }

    private static func writeAll(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                return
            }
            bytes = bytes.dropFirst(written)
        }
    }
}
