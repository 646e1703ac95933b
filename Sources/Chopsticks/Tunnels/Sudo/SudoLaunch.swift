/// How a tunnel starts the agent through sudo: `sudo -n` (never a prompt) until the user gives a password,
/// then `sudo -S` with a handshake on stderr so the password is written only when sudo asks for it.
///
/// The handshake: sudo prints `promptMarker` (its `-p` prompt) when it wants the password; the shell it
/// starts prints `readyMarker` before anything reads stdin. chop writes the password only after a prompt,
/// and the agent only after `ready`: with a rule that needs no password, or a cached one, the password is
/// never sent, so it cannot reach the agent's stdin (or, through a traceback, a log). A second prompt means
/// sudo refused the password; chop stops there rather than let sudo read the agent as further attempts.
enum SudoLaunch {
    static let markerPrefix = "chop-sudo-"
    /// sudo's `-p` prompt. No newline: the whole command must stay one line for any login shell (see
    /// `Bootstrap.reader`), so `StderrLog` takes it as a line when it is all that is pending.
    static let promptMarker = markerPrefix + "prompt"
    static let readyMarker = markerPrefix + "ready"

    /// A one-line `sh` script that runs `sudo "$@"`: at its standard absolute places first, so a `sudo` planted
    /// earlier on the login account's PATH is not the one given the password; on PATH only where none is.
    static let findSudo = find(.sudo)

    /// The same for any tool: `doas` and `su` at their standard places, then on PATH.
    static func find(_ tool: SudoTool) -> String {
        let name = tool.rawValue
        let places = ["/usr/bin", "/bin", "/usr/sbin", "/usr/local/bin"].map { "\($0)/\(name)" } + [name]
        return "for s in \(places.joined(separator: " ")); do "
            + "if command -v \"$s\" >/dev/null 2>&1; then exec \"$s\" \"$@\"; fi; done; "
            + "echo \"\(tool == .sudo ? notFoundMarker : "chop: \(name) not found")\" >&2; exit 127"
    }
    /// What `findSudo` writes on stderr when there is no sudo; read back by `FailureText`.
    static let notFoundMarker = "chop: sudo not found"

    /// The words that start `/bin/sh -c SCRIPT` as `user` with `tool`: doas and su never with a password
    /// (they would read it from a terminal there is not), sudo as `words(user:script:password:)`.
    static func words(tool: SudoTool, user: String, script: String, password: Bool) -> [String] {
        switch tool {
        case .sudo: words(user: user, script: script, password: password)
        case .doas: ["doas", "-n", "-u", user, "/bin/sh", "-c", script]
        case .su: ["su", "-s", "/bin/sh", "-c", script, user]
        }
    }

    /// `sudo … -u USER -- /bin/sh -c SCRIPT`, with or without the password handshake.
    static func words(user: String, script: String, password: Bool) -> [String] {
        guard password else { return ["sudo", "-n", "-u", user, "--", "/bin/sh", "-c", script] }
        // -k: a cached credential is ignored, so sudo asks exactly when its rule wants a password.
        return [
            "sudo", "-S", "-k", "-p", promptMarker, "-u", user, "--", "/bin/sh", "-c",
            "echo \(readyMarker) >&2; \(script)",
        ]
    }
}
