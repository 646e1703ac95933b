/// What went wrong on one host: the message a person reads, and the remote traceback when there is one.
///
/// One failing host is an `ErrorResult` inside a `GroupResult`, never a crash of the whole operation.
public struct ErrorResult: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where the failure came from; the shell words it as unreachable, timed out, interrupted, …
    public enum Kind: String, Sendable, Hashable, Codable {
        /// The tunnel could not be opened or was lost (ssh refused, no python, child died).
        case connection
        /// An operation or connection took longer than allowed.
        case timeout
        /// The user cancelled (Ctrl-C) before the host answered.
        case interrupted
        /// The remote code raised an exception.
        case remote
        /// The host sent something that is not the protocol.
        case `protocol`
        /// Something on this side: a missing local file, a bad template.
        case local
        /// ssh has no key for the host in known_hosts; `trust` can add it after the user checks it.
        case unknownHostKey
        /// The host's key differs from the one in known_hosts: a reinstalled host, or someone in between.
        case hostKeyChanged
        /// sudo on the far side asks for a password; `password` gives it.
        case needsPassword
    }

    /// What a host does that stopped the agent from starting, for library users who act on it without reading
    /// `msg` (issue "Real hosts"); nil for every other failure.
    public enum Cause: String, Sendable, Hashable, Codable {
        /// The host printed more than 64 KiB on stdout before the agent started: an rc file that prints, or a
        /// login shell that never runs chop's command. The member's log holds the start of it.
        case tooMuchLoginText
        /// The account's login shell did not run chop's command: `nologin`, `/bin/false`, or a `ForceCommand`.
        case loginShellRefused
        /// sudo on the host needs a terminal (`Defaults requiretty`), and chop never allocates one.
        case sudoRequiresTTY
        /// No Python 3.6 or newer there: none at all, or only an older one.
        case noPython
        /// sshd dropped the connection before authentication (its `MaxStartups` limit): worth another try.
        case droppedBeforeAuthentication
    }

    /// A human-readable message, one line.
    public var msg: String
    public var kind: Kind
    /// The remote exception's type name, when the agent reported one.
    public var type: String?
    /// The remote traceback as text, when the agent sent one.
    public var traceback: String?
    /// `traceback` under chopsticks' name (`ErrorResult.tb`), for code written against the Python library.
    public var tb: String? { traceback }
    /// Set when a host could not start the agent for a known reason.
    public var cause: Cause?

    public init(
        _ msg: String, kind: Kind = .local, type: String? = nil, traceback: String? = nil, cause: Cause? = nil
    ) {
        self.cause = cause
        self.msg = msg
        self.kind = kind
        self.type = type
        self.traceback = traceback
    }

    /// Wraps any error as an ErrorResult, keeping one that already is.
    public init(_ error: any Error) {
        if let error = error as? ErrorResult {
            self = error
        } else if error is CancellationError {
            self.init("interrupted", kind: .interrupted)
        } else {
            self.init(String(describing: error), kind: .local)
        }
    }

    public var description: String { msg }
}
