import Chopsticks

/// The shell's words for what a person can do about a failure: the library reports what happened as a kind
/// and a cause and never names a command of this shell (issue #26 item 3); which command helps is chosen here.
enum FailureHint {
    /// The failure as the shell shows it: the library's text, then the hint when a command of the shell helps.
    static func text(_ error: ErrorResult, host: String) -> String {
        error.msg + (hint(error, host: host) ?? "")
    }

    /// The hint, with the punctuation that joins it to the library's text; nil when no command helps.
    static func hint(_ error: ErrorResult, host: String) -> String? {
        switch (error.kind, error.cause) {
        case (.hostKeyChanged, _):
            return "; 'log \(host)' shows ssh's warning, 'trust --replace \(host)' replaces it after you check it"
        case (.unknownHostKey, _): return "; 'trust' shows its fingerprint and adds it"
        case (.needsPassword, .passwordRefused?): return "; give it again with 'password'"
        case (.needsPassword, _): return "; give it with 'password'"
        case (_, .tooMuchLoginText?): return "; 'log \(host)' shows the start of it"
        case (_, .loginShellRefused?): return "; 'log \(host)' shows what it printed"
        case (_, .doasNeedsPassword?), (_, .doasRefused?), (_, .suNeedsPassword?): return ", or 'set sudo-tool sudo'"
        case (_, .sudoNotFound?): return ", or add the host without --sudo"
        case (_, .noPython?): return "; install Python 3.6+ there, or name one with add's --python or 'set python'"
        default: return nil
        }
    }
}
