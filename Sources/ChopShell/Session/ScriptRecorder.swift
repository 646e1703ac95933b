import Chopsticks
import Foundation

/// Writes typed commands to a script file as they are entered.
///
/// The file is made like a fetched one (`ReplacingFile`): a new 0600 file under a temporary name, renamed over
/// FILE at once and written through its descriptor from then on, so a symlink planted at FILE is replaced, not
/// followed, and nobody else can read what is typed.
final class ScriptRecorder: @unchecked Sendable {
    // @unchecked: used only from the Session actor.
    private let file: ReplacingFile

    init(path: String, header: [String]) throws {
        do {
            file = try ReplacingFile(path)
            try file.commit(mode: 0o600)
        } catch {
            throw ShellError("cannot record to \(path): \(error.msg)")
        }
        for line in header { record(line) }
    }

    func record(_ line: String) {
        try? file.write(Data((line + "\n").utf8))
    }

    func close() { file.close() }
}
