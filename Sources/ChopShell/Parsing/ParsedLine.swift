/// One line typed at the chop prompt (or read from a script), parsed but not yet executed.
///
/// Parsing is kept apart from execution so that every syntax mistake is reported before anything touches a host,
/// and so the grammar can be tested without a fleet.
public struct ParsedLine: Sendable {
    /// The text after a leading `@` (`@web[1-3] run uptime` → `web[1-3]`), kept raw for the session to resolve;
    /// nil when the line has no target and the operation applies to the current target (see `use`).
    public var target: String?
    /// What to do: a command value with its arguments checked.
    public var command: any ChopCommand
    /// `--batch`, `--max-fail`, `--canary`, `--yes` given after an operation's name.
    public var rollout: Rollout?

    public init(target: String? = nil, command: any ChopCommand, rollout: Rollout? = nil) {
        self.target = target
        self.command = command
        self.rollout = rollout
    }
}
