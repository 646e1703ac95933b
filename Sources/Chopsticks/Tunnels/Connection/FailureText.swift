import Foundation

/// Turns what a failed tunnel printed on stderr into one line a person can act on.
///
/// ssh, sudo and the bootstrap script each have their own wording; the shell shows the reason, not a
/// wall of ssh debug output. The text says what happened and what to change on the host, never which
/// command of the shell helps: that is the shell's word, chosen from the kind and cause (`FailureHint` there).
enum FailureText {
    /// The failure as an error whose kind says what the user can do: host-key and password problems have
    /// their own kinds (and member states), everything else is a connection failure. `loginText` is what the
    /// host printed on stdout when the agent never started (nil once it did): see `FrameDecoder`.
    static func classify(
        stderr: String, exit: String?, host: String, kind: any TunnelKind, timeout: Int, loginText: String? = nil
    ) -> ErrorResult {
        let lower = stderr.lowercased()
        if lower.contains("remote host identification has changed")
            || lower.contains("host key for")
                && lower.contains("has changed")
        {
            return ErrorResult(
                "it differs from known_hosts (a reinstalled host, or someone in between)", kind: .hostKeyChanged)
        }
        if lower.contains("host key verification failed") && !lower.contains("revoked host key") {
            return ErrorResult("ssh knows no key for \(host)", kind: .unknownHostKey)
        }
        if lower.contains("sudo:") && lower.contains("password is required") {
            return ErrorResult("sudo asks for a password", kind: .needsPassword)
        }
        if lower.contains("sudo:") && lower.contains("incorrect password") {
            return .passwordRefused
        }
        if lower.contains("sudo:") && lower.contains("must have a tty") {
            return ErrorResult(
                "sudo on \(host) requires a terminal (Defaults requiretty) and chop never allocates one: add "
                    + "'Defaults:USER !requiretty' for the login user to the host's sudoers",
                kind: .connection, cause: .sudoRequiresTTY)
        }
        if lower.contains("doas:") && lower.contains("authentication required") {
            return ErrorResult(
                "doas on \(host) asks for a password, which it reads only from a terminal (chop never gives the "
                    + "agent one): give the login user a 'permit nopass' rule in doas.conf",
                kind: .connection, cause: .doasNeedsPassword)
        }
        if lower.contains("doas:") && (lower.contains("not enabled") || lower.contains("not permitted")) {
            return ErrorResult(
                "doas on \(host) refused (\(firstLine(of: stderr, containing: "doas:"))): add a rule for the login user "
                    + "to /etc/doas.conf", kind: .connection, cause: .doasRefused)
        }
        if lower.contains("su:") && (lower.contains("authentication failure") || lower.contains("terminal")) {
            return ErrorResult(
                "su on \(host) asks for the target user's password, which it reads only from a terminal: use su "
                    + "only where chop logs in as root", kind: .connection, cause: .suNeedsPassword)
        }
        if stderr.contains(SudoLaunch.notFoundMarker) {
            return ErrorResult(
                "sudo not found on \(host) (neither on the login PATH nor in /usr/bin, /bin, /usr/local/bin, /usr/sbin): "
                    + "install it there", kind: .connection, cause: .sudoNotFound)
        }
        if let refused = loginShellRefusal(stderr: stderr, exit: exit, host: host, kind: kind, loginText: loginText) {
            return refused
        }
        let text = describe(stderr: stderr, exit: exit, host: host, kind: kind, timeout: timeout)
        if kind is SSH, loginText != nil, droppedBeforeAuthentication(lower) {
            return ErrorResult(text, kind: .connection, cause: .droppedBeforeAuthentication)
        }
        let noPython =
            stderr.contains(Bootstrap.noPythonMarker) || stderr.contains(Bootstrap.tooOldMarker)
            || silentNoPython(stderr: stderr, exit: exit)
        return ErrorResult(text, kind: .connection, cause: noPython && loginText == nil ? .noPython : nil)
    }

    /// An ssh login that ended without ever printing the bootstrap's marker, with an exit status of the far
    /// side (ssh's own failures exit 255): the account's shell did not run chop's command.
    private static func loginShellRefusal(
        stderr: String, exit: String?, host: String, kind: any TunnelKind, loginText: String?
    ) -> ErrorResult? {
        guard let loginText, kind is SSH, !stderr.lowercased().contains("sudo"), let exit,
            exit.hasPrefix("exit status"),
            exit != describeWaitStatus(255 << 8)
        else { return nil }
        let said = (loginText + "\n" + stderr).split(separator: "\n").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.first { !$0.isEmpty }
        return ErrorResult(
            "the account's login shell on \(host) did not run chop's command (a nologin or false shell, or a "
                + "ForceCommand)" + (said.map { ": \($0)" } ?? " (\(exit))"),
            kind: .connection, cause: .loginShellRefused)
    }

    /// sshd closed or reset the connection before the key exchange: what its `MaxStartups` does to the
    /// connections beyond its limit of unauthenticated ones (a bastion, or many hosts behind one address).
    /// Nothing was sent there, so the connect may be tried again.
    static func droppedBeforeAuthentication(_ lower: String) -> Bool {
        lower.contains("kex_exchange_identification") || lower.contains("ssh_exchange_identification")
            || lower.contains("connection reset by peer") && !lower.contains("permission denied")
    }

    /// The first line of `text` that holds `word`, trimmed (a tool's own message, quoted in ours).
    private static func firstLine(of text: String, containing word: String) -> String {
        let line = text.split(separator: "\n").first { $0.lowercased().contains(word) } ?? ""
        return line.trimmingCharacters(in: .whitespaces)
    }

    /// The bootstrap's own exit status says "no Python" too: an engine that relays stderr (podman's attach) can
    /// end before the marker line arrives, and then the status is all there is.
    private static func silentNoPython(stderr: String, exit: String?) -> Bool {
        stderr.allSatisfy(\.isWhitespace) && exit == describeWaitStatus(CInt(Bootstrap.noPythonStatus) << 8)
    }

    /// A connect that took longer than `seconds`: ssh's own timeout and the wait for the agent's hello say it alike.
    static func timedOut(after seconds: Int) -> String { "timed out after \(seconds) s" }

    static func describe(stderr: String, exit: String?, host: String, kind: any TunnelKind, timeout: Int) -> String {
        if let custom = kind.describeFailure(stderr: stderr) { return custom }
        let lower = stderr.lowercased()
        let tooOld = stderr.split(separator: "\n").filter { $0.contains(Bootstrap.tooOldMarker) }.map {
            $0.components(separatedBy: Bootstrap.tooOldMarker).last?.trimmingCharacters(in: .whitespaces) ?? "?"
        }
        if kind.python != nil, let found = tooOld.first {
            return "Python \(found) is too old (chop needs Python 3.6+)"
        }
        if stderr.contains(Bootstrap.noPythonMarker) || silentNoPython(stderr: stderr, exit: exit) {
            if let python = kind.python { return "\(python) not found on \(host)" }
            let only = tooOld.isEmpty ? "" : " (found only Python \(tooOld.joined(separator: ", ")))"
            return "no Python 3.6+ found on \(host)\(only)"
        }
        if let range = stderr.range(of: "Permission denied (") {
            let tail = stderr[range.lowerBound...].prefix(while: { $0 != "\n" })
            return tail.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ". \r"))
        }
        if lower.contains("connection refused") { return "connection refused" }
        if lower.contains("timed out") { return timedOut(after: timeout) }
        if lower.contains("could not resolve hostname") || lower.contains("name or service not known") {
            return "could not resolve host name \(host)"
        }
        if lower.contains("no route to host") { return "no route to host" }
        if lower.contains("network is unreachable") { return "network is unreachable" }
        if lower.contains("sudo:") && lower.contains("unknown user") { return "sudo: unknown user" }
        if let last = stderr.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            let line = last.trimmingCharacters(in: .whitespaces)
            return exit.map { "\(line) (\($0))" } ?? String(line)
        }
        return "tunnel ended (\(exit ?? "no reason given"))"
    }
}
