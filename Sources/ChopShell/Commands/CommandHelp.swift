/// The texts of `help`, built from `CommandRegistry`: each command's own declaration says how it is typed and
/// what it does, so the help, the usage lines in parse errors and the parser cannot disagree. Every line fits in
/// 100 columns.
public enum CommandHelp {
    /// Topics that are not commands, for `help TOPIC` and its typo suggestions.
    static let extraTopics = ["targets", "keys"]

    /// Every command, one line each: usage, then what it does; then targeting and keys in brief.
    public static func summary() -> String {
        var lines = ["Commands (help COMMAND for details):"]
        lines += formLines(CommandRegistry.allDeclared.map { $0.declaration })
        lines += [
            "",
            "Aim one operation at some hosts with @TARGET: @web[1-3] run uptime, @failed run …  (help targets)",
        ]
        lines += wrapped("Operations:", CommandRegistry.operationNames)
        lines += [
            "Keys: Tab completes, Ctrl-C interrupts, Ctrl-D quits  (help keys)"
        ]
        return lines.joined(separator: "\n")
    }

    /// `title` and the words after it, in lines of at most 100 columns; continued lines are indented.
    static func wrapped(_ title: String, _ words: [String]) -> [String] {
        var lines = [title]
        for word in words {
            if lines[lines.count - 1].count + 1 + word.count > 100 {
                lines.append(String(repeating: " ", count: title.count))
            }
            lines[lines.count - 1] += " " + word
        }
        return lines
    }

    /// The command a help topic names (`add`, `exit`, `!`), if it names one.
    static func command(for topic: String) -> (any ChopCommand.Type)? {
        if topic == "!" { return LocalShellCommand.self }
        return CommandRegistry.command(named: topic)
    }

    /// The full help for a command or topic (`targets`, `keys`, `@`, `!`), or nil when there is none.
    /// `live` adds lines that depend on the session (see `ChopCommand.liveDetails`).
    public static func help(for topic: String, live: [String] = []) -> String? {
        var lines: [String] = []
        let examples: [String]
        if let type = command(for: topic) {
            let declaration = type.declaration
            let forms = [declaration] + declaration.subcommands.map { $0.declaration }
            if forms.count == 1 {
                lines += ["usage: " + declaration.usage, "", sentence(declaration.summary)]
            } else {
                lines.append("usage:")
                lines += formLines(forms)
                lines.append("")
            }
            lines += declaration.details + live
            for form in forms where !form.options.isEmpty {
                lines += ["", forms.count == 1 ? "Options:" : "Options of \(form.name):"]
                lines += form.optionLines.dropFirst()
            }
            examples = declaration.examples
        } else if let extra = HelpTopics.text(for: topic) {
            lines += extra.details
            examples = extra.examples
        } else {
            return nil
        }
        if !examples.isEmpty {
            lines.append("")
            lines.append("Examples:")
            lines += examples.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// The usage line of a command (`put LOCAL [REMOTE] [--mode MODE]`), or of a subcommand when given as
    /// `add local`. An unknown name is returned as it is.
    public static func usage(_ command: String) -> String {
        if let type = CommandRegistry.allDeclared.first(where: { $0.declaration.name == command }) {
            return type.declaration.usage
        }
        return self.command(for: command)?.declaration.usage ?? command
    }

    /// Usage and summary side by side; a usage too long for the column gets its summary on the next line,
    /// so every line fits in 100 columns.
    private static func formLines(_ forms: [CommandDeclaration]) -> [String] {
        let limit = 36
        let width = forms.map(\.usage.count).filter { $0 <= limit }.max() ?? limit
        var lines: [String] = []
        for form in forms {
            if form.usage.count <= width {
                lines.append("  \(form.usage.padded(to: width))  \(form.summary)")
            } else {
                lines.append("  \(form.usage)")
                lines.append("  \("".padded(to: width))  \(form.summary)")
            }
        }
        return lines
    }

    private static func sentence(_ summary: String) -> String {
        guard let first = summary.first else { return summary }
        return first.uppercased() + summary.dropFirst() + "."
    }
}

extension String {
    /// The string followed by spaces up to `width` characters; unchanged when it is already that long.
    fileprivate func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
