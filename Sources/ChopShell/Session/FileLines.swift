import Foundation

/// Reads a text file line by line in bounded memory (64 KiB at a time), for spilled output.
enum FileLines {
    /// Calls `line` with each line, without its newline (and without the CR of a CRLF).
    static func read(_ path: String, _ line: (String) -> Void) {
        guard let handle = FileHandle(forReadingAtPath: path) else { return }
        defer { try? handle.close() }
        var pending = Data()
        while let chunk = try? handle.read(upToCount: 64 * 1024), !chunk.isEmpty {
            pending.append(chunk)
            var start = pending.startIndex
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                emit(pending[start..<newline], line)
                start = pending.index(after: newline)
            }
            pending = Data(pending[start...])
        }
        if !pending.isEmpty { emit(pending, line) }
    }

    private static func emit(_ bytes: Data, _ line: (String) -> Void) {
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\r") { text.removeLast() }
        line(text)
    }
}
