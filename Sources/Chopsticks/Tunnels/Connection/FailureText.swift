import Foundation

/// Turns what a failed tunnel printed on stderr into one line a person can act on.
///
/// ssh, sudo and the bootstrap script each have their own wording; the shell shows the reason, not a
/// wall of ssh debug output.
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
                "it differs from known_hosts (a reinstalled host, or someone in between); 'log \(host)' shows "
                    + "ssh's warning, 'trust --replace \(host)' replaces it after you check it",
                kind: .hostKeyChanged)
        }
        if lower.contains("host key verification failed") && !lower.contains("revoked host key") {
            return ErrorResult(
                "ssh knows no key for \(host); 'trust' shows its fingerprint and adds it", kind: .unknownHostKey)
        }
        if lower.contains("sudo:") && lower.contains("password is required") {
            return ErrorResult("sudo asks for a password; give it with 'password'", kind: .needsPassword)
        }
        if lower.contains("sudo:") && lower.contains("incorrect password") {
            return ErrorResult("sudo refused the password; try 'password' again", kind: .needsPassword)
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
                    + "agent one): give the login user a 'permit nopass' rule in doas.conf, or 'set sudo-tool sudo'",
                kind: .connection)
        }
        if lower.contains("doas:") && (lower.contains("not enabled") || lower.contains("not permitted")) {
            return ErrorResult(
                "doas on \(host) refused (\(firstLine(of: stderr, containing: "doas:"))): add a rule for the login user "
                    + "to /etc/doas.conf, or 'set sudo-tool sudo'", kind: .connection)
        }
        if lower.contains("su:") && (lower.contains("authentication failure") || lower.contains("terminal")) {
            return ErrorResult(
                "su on \(host) asks for the target user's password, which it reads only from a terminal: use su "
                    + "only where chop logs in as root, or 'set sudo-tool sudo'", kind: .connection)
        }
        if stderr.contains(SudoLaunch.notFoundMarker) {
            return ErrorResult(
                "sudo not found on \(host) (neither on the login PATH nor in /usr/bin, /bin, /usr/local/bin, /usr/sbin): "
                    + "install it there, or add the host without --sudo", kind: .connection)
        }
        if let refused = loginShellRefusal(stderr: stderr, exit: exit, host: host, kind: kind, loginText: loginText) {
            return refused
        }
        let text = describe(stderr: stderr, exit: exit, host: host, kind: kind, timeout: timeout)
        if kind is SSH, loginText != nil, droppedBeforeAuthentication(lower) {
            return ErrorResult(text, kind: .connection, cause: .droppedBeforeAuthentication)
        }
        let noPython = stderr.contains(Bootstrap.noPythonMarker) || stderr.contains(Bootstrap.tooOldMarker)
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
                + "ForceCommand)" + (said.map { ": \($0)" } ?? " (\(exit))") + "; 'log \(host)' shows what it printed",
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

    static func describe(stderr: String, exit: String?, host: String, kind: any TunnelKind, timeout: Int) -> String {
        if let custom = kind.describeFailure(stderr: stderr) { return custom }
        let lower = stderr.lowercased()
        let tooOld = stderr.split(separator: "\n").filter { $0.contains(Bootstrap.tooOldMarker) }.map {
            $0.components(separatedBy: Bootstrap.tooOldMarker).last?.trimmingCharacters(in: .whitespaces) ?? "?"
        }
        if let python = kind.python, let found = tooOld.first {
            return "Python \(found) is too old; chop needs Python 3.6+ (set --python to another than \(python))"
        }
        // The bootstrap's own exit status says it too: an engine that relays stderr (podman's attach) can end
        // before the marker line arrives, and then the status is all there is.
        let silentNoPython =
            stderr.allSatisfy(\.isWhitespace) && exit == describeWaitStatus(CInt(Bootstrap.noPythonStatus) << 8)
        if stderr.contains(Bootstrap.noPythonMarker) || silentNoPython {
            if let python = kind.python { return "\(python) not found on \(host); install it or set --python" }
            let only = tooOld.isEmpty ? "" : " (found only Python \(tooOld.joined(separator: ", ")))"
            return "no Python 3.6+ found on \(host)\(only); install python3 or set --python"
        }
        if let range = stderr.range(of: "Permission denied (") {
            let tail = stderr[range.lowerBound...].prefix(while: { $0 != "\n" })
            return tail.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ". \r"))
        }
        if lower.contains("connection refused") { return "connection refused" }
        if lower.contains("timed out") { return "timed out after \(timeout) s" }
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
