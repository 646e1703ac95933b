/// What a command declares about itself, for the parser, `help` and completion.
public struct CommandDeclaration: Sendable {
    /// The word that invokes it (`run`); for a subcommand, the whole phrase (`add local`).
    public var name: String
    /// Where `help` lists a top-level command, in tens so a new one fits between two (`helpOrder: 225` goes
    /// between 220 and 230); nil for a subcommand, which its parent's `subcommands` lists. CommandRegistryPlugin
    /// reads it from each `Commands/*Command.swift` file to generate `CommandRegistry.commands`, so a command
    /// with it is listed without naming it anywhere else.
    public var helpOrder: Int?
    /// Other words that invoke it (`exit` for `quit`).
    public var aliases: [String]
    /// The synopsis without the options, e.g. `put LOCAL [REMOTE]`; `usage` adds them.
    public var synopsis: String
    /// The options, in the order usage and help list them; `OptionParser` reads them. Operations that roll out
    /// in waves declare the shared group `OptionSpec.rollout`.
    public var options: [OptionSpec]
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

    public init(
        name: String, helpOrder: Int? = nil, aliases: [String] = [], synopsis: String, summary: String,
        takesTarget: Bool = false,
        rawArguments: Bool = false, subcommands: [any ChopCommand.Type] = [], recorded: Bool = true,
        options: [OptionSpec] = [], help: String = ""
    ) {
        self.name = name
        self.helpOrder = helpOrder
        self.aliases = aliases
        self.synopsis = synopsis
        self.options = options
        self.summary = summary
        self.help = help
        self.takesTarget = takesTarget
        self.rawArguments = rawArguments
        self.subcommands = subcommands
        self.recorded = recorded
    }

    /// Whether the operation can roll out in waves: it declares `OptionSpec.rollout`.
    public var rolls: Bool { options.contains(OptionSpec.rollout[0]) }

    /// The usage line, e.g. `put LOCAL [REMOTE] [--mode MODE]`, generated from `synopsis` and `options`:
    /// leading options after the name, the others at the end. A group's options (the rollout) are left to
    /// `help COMMAND`'s Options section, so the line stays short. Parse errors end with it.
    public var usage: String {
        var leading: [String] = []
        var trailing: [String] = []
        for option in options where option.group == nil {
            if option.placement == .leading { leading.append(option.usage) } else { trailing.append(option.usage) }
        }
        var line = synopsis
        if !leading.isEmpty {
            let head = synopsis.hasPrefix(name + " ") || synopsis == name ? name : ""
            let tail = synopsis.dropFirst(head.count).drop { $0 == " " }
            line = ([head] + leading + (tail.isEmpty ? [] : [String(tail)])).filter { !$0.isEmpty }.joined(
                separator: " ")
        }
        return ([line] + trailing).joined(separator: " ")
    }

    /// `help COMMAND`'s Options section: one line per option, a group's under its name.
    public var optionLines: [String] {
        guard !options.isEmpty else { return [] }
        let width = min(28, options.map(\.helpName.count).max() ?? 0)
        var lines = ["Options:"]
        var group: String?
        for option in options.filter({ $0.group == nil }) + options.filter({ $0.group != nil }) {
            if let name = option.group, name != group {
                lines.append("  \(name.capitalized), right after the command's name:")
            }
            group = option.group
            let indent = option.group == nil ? "  " : "    "
            let name = option.helpName
            let padded = name.count >= width ? name : name + String(repeating: " ", count: width - name.count)
            lines.append("\(indent)\(padded)  \(option.summary)")
        }
        return lines
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
