/// What a command declares about itself, for the parser, `help` and completion.
public struct CommandDeclaration: Sendable {
    /// The word that invokes it (`run`); for a subcommand, the whole phrase (`add local`).
    public var name: String
    /// Other words that invoke it (`exit` for `quit`).
    public var aliases: [String]
    /// The synopsis, e.g. `put LOCAL [REMOTE] [--mode MODE]`; parse errors end with it.
    public var usage: String
    /// One line: what the command does.
    public var summary: String
    /// More lines for `help NAME`.
    public var details: [String]
    public var examples: [String]
    /// Whether the command acts on hosts and so accepts an `@TARGET` prefix.
    public var takesTarget: Bool
    /// Whether the rest of the line is passed verbatim (`run`, `py`, `!`): another interpreter reads it.
    public var rawArguments: Bool
    /// Forms reached by a second word (`add local`), listed and parsed through this command.
    public var subcommands: [any ChopCommand.Type]
    /// Whether `record` writes the line into the recording (not for `record`, `help`, `quit`).
    public var recorded: Bool

    public init(
        name: String, aliases: [String] = [], usage: String, summary: String, details: [String] = [],
        examples: [String] = [], takesTarget: Bool = false, rawArguments: Bool = false,
        subcommands: [any ChopCommand.Type] = [], recorded: Bool = true
    ) {
        self.name = name
        self.aliases = aliases
        self.usage = usage
        self.summary = summary
        self.details = details
        self.examples = examples
        self.takesTarget = takesTarget
        self.rawArguments = rawArguments
        self.subcommands = subcommands
        self.recorded = recorded
    }

    /// The word after the parent's name that selects this subcommand (`local` for `add local`).
    var subcommandWord: String { String(name.split(separator: " ").last ?? Substring(name)) }
}
