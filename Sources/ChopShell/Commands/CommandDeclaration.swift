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
    /// The text `help NAME` prints after the usage: explanation lines, then a blank line, `Examples:` and one
    /// example a line, indented by two spaces. A text block rather than lists, so a command reads like its help.
    public var help: String
    /// Whether the command acts on hosts and so accepts an `@TARGET` prefix.
    public var takesTarget: Bool
    /// Whether the rest of the line is passed verbatim (`run`, `py`, `!`): another interpreter reads it.
    public var rawArguments: Bool
    /// Forms reached by a second word (`add local`), listed and parsed through this command.
    public var subcommands: [any ChopCommand.Type]
    /// Whether `record` writes the line into the recording (not for `record`, `help`, `quit`).
    public var recorded: Bool
    /// Whether the operation can roll out in waves: `--batch`, `--max-fail`, `--canary`, `--yes` after its name.
    public var rolls: Bool

    public init(
        name: String, aliases: [String] = [], usage: String, summary: String, takesTarget: Bool = false,
        rawArguments: Bool = false, subcommands: [any ChopCommand.Type] = [], recorded: Bool = true,
        rolls: Bool = false, help: String = ""
    ) {
        self.rolls = rolls
        self.name = name
        self.aliases = aliases
        self.usage = usage
        self.summary = summary
        self.help = help
        self.takesTarget = takesTarget
        self.rawArguments = rawArguments
        self.subcommands = subcommands
        self.recorded = recorded
    }

    /// The word after the parent's name that selects this subcommand (`local` for `add local`).
    var subcommandWord: String { String(name.split(separator: " ").last ?? Substring(name)) }

    /// The explanation lines of `help`, before `Examples:`.
    public var details: [String] {
        var lines = sections.details
        while lines.last == "" { lines.removeLast() }
        return lines
    }

    /// The examples of `help`: complete lines that parse (`CommandRegistryTests` checks them).
    public var examples: [String] { sections.examples }

    private var sections: (details: [String], examples: [String]) {
        let lines = help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let marker = lines.firstIndex(of: "Examples:") else { return (lines.filter { !$0.isEmpty }, []) }
        let examples = lines[(marker + 1)...].map { String($0.drop { $0 == " " }) }.filter { !$0.isEmpty }
        return (Array(lines[..<marker]), examples)
    }
}
