import ChopShell
import Chopsticks
import Foundation

/// A `ShellIO` that keeps what a session prints, so command behaviour is tested in-process, without a terminal.
final class RecordingIO: @unchecked Sendable {
    // @unchecked: every access to `out` and `err` goes through `lock`.
    private let lock = NSLock()
    private var out: [String] = []
    private var err: [String] = []
    private var asked: [String] = []
    /// The answer a terminal would give to `confirm`; nil: there is no terminal.
    private let answer: Bool?
    /// What a terminal would type at a password prompt; nil: there is no terminal.
    private let password: String?
    /// The secrets handed out, to check they are wiped.
    private var secrets: [Secret] = []

    init(answer: Bool? = nil, password: String? = nil) {
        self.answer = answer
        self.password = password
    }

    var io: ShellIO {
        var confirm: (@Sendable (String) async -> Bool)?
        if let answer {
            confirm = { question in
                self.lock.withLock { self.asked.append(question) }
                return answer
            }
        }
        var askSecret: (@Sendable (String) async -> Secret?)?
        if let password {
            askSecret = { prompt in
                let secret = Secret(Array(password.utf8))
                self.lock.withLock {
                    self.asked.append(prompt)
                    self.secrets.append(secret)
                }
                return secret
            }
        }
        return ShellIO(
            print: { line in self.lock.withLock { self.out.append(line) } },
            error: { line in self.lock.withLock { self.err.append(line) } }, confirm: confirm, askSecret: askSecret)
    }

    /// The questions and prompts put to the "terminal" so far.
    var questions: [String] { lock.withLock { asked } }

    /// The passwords handed to the session so far.
    var handedSecrets: [Secret] { lock.withLock { secrets } }

    /// The stdout lines so far, and forgets them.
    func takeOut() -> [String] {
        lock.withLock {
            defer { out.removeAll() }
            return out
        }
    }

    /// The stdout lines so far, kept.
    func peekOut() -> [String] {
        lock.withLock { out }
    }

    /// The stderr lines so far, and forgets them.
    func takeErr() -> [String] {
        lock.withLock {
            defer { err.removeAll() }
            return err
        }
    }
}
