import Chopsticks
import Foundation

/// What `run --input` / `--input-file` writes to each host's command on stdin before closing it: an answer for a
/// command that asks a question, which would otherwise read end-of-file at once.
public enum RunInput: Sendable, Equatable {
    /// The text typed after `--input`, with the newline that ends a typed answer.
    case text(String)
    /// A local file whose bytes are sent exactly, read when the command runs (not when it is parsed).
    case file(String)

    /// The bytes to send; a file that cannot be read is one line saying which and why.
    func bytes() throws -> Data {
        switch self {
        case .text(let text):
            return Data(text.utf8)
        case .file(let path):
            // The script reader: regular files only (a FIFO cannot hang it), at most what one request carries.
            do {
                return try LocalScript.read(Session.expandTilde(path))
            } catch {
                throw ShellError("--input-file" + error.msg.dropFirst("script".count))
            }
        }
    }
}
