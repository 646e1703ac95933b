/// How to reach a host: the command that starts the agent there, and how to read its failures.
///
/// A tunnel kind only says *how to start* a child whose stdin/stdout lead to a POSIX shell on the far side;
/// bootstrapping the agent, the protocol and every operation are shared. That is what keeps new kinds
/// (Docker, Kubernetes, …) small: implement `command(script:)` and, if needed, `cleanup()`.
public protocol TunnelKind: GroupMember {
    /// The member's name in a group: unique, shown in results, substituted for `{host}` in fetch templates.
    var name: String { get }
    /// A short word for tables: "ssh", "local", "sudo", "docker", "container".
    var kindName: String { get }
    /// The interpreter the user named, or nil to discover one (see `Bootstrap`).
    var python: String? { get }
    /// The interpreter to start: `python`, or one found once for every member of this kind (Local); nil to
    /// let the bootstrap script discover one.
    func interpreter() async -> String?
    /// argv of the local child that runs `script` (one line of POSIX `sh`) on the far side. For the agent it is
    /// `Bootstrap.reader`, which reads the bootstrap from the child's stdin: what a kind passes through (a login
    /// shell, an engine) only ever sees that one line. SSH without sudo gets the bootstrap itself
    /// (`Bootstrap.command`): stdin would cost it a round trip.
    func command(script: String) -> [String]
    /// argv for a kind that goes through sudo, once the user gave a password: sudo reads it on stdin after
    /// its prompt (see `SudoLaunch`). Kinds without sudo ignore `sudoPassword`.
    func command(script: String, sudoPassword: Bool) -> [String]
    /// The command of one connect: `command(script:sudoPassword:)` plus what the kind learns just before it
    /// (SSH: whether a shared master is there to reuse, see `ControlMaster`).
    func launch(script: String, sudoPassword: Bool) async -> Launch
    /// Whether the agent starts through sudo, so a password can be asked for.
    var usesSudo: Bool { get }
    /// A one-line reason for a failure to start, from the child's stderr; nil to use the shared rules.
    func describeFailure(stderr: String) -> String?
    /// Work after the child has ended (e.g. removing a throwaway container). Must not throw.
    func cleanup() async
}

/// What a connect starts: the child's argv, and whether it goes through a connection already open.
public struct Launch: Sendable {
    public var argv: [String]
    /// The connect reuses a connection a previous run left open (ssh's ControlMaster): no handshake.
    public var reused: Bool
    /// Told once the connect has an outcome (true: the agent said hello), at most once.
    public var settled: (@Sendable (Bool) -> Void)?

    public init(argv: [String], reused: Bool = false, settled: (@Sendable (Bool) -> Void)? = nil) {
        self.argv = argv
        self.reused = reused
        self.settled = settled
    }
}

extension TunnelKind {
    public func launch(script: String, sudoPassword: Bool) async -> Launch {
        Launch(argv: command(script: script, sudoPassword: sudoPassword))
    }
    public func interpreter() async -> String? { python }
    public func command(script: String, sudoPassword: Bool) -> [String] { command(script: script) }
    public var usesSudo: Bool { false }
    public func describeFailure(stderr: String) -> String? { nil }
    public func cleanup() async {}
}
