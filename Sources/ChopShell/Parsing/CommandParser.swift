/// Turns one REPL line into a `ParsedLine`, dispatching on `CommandRegistry`.
///
/// The grammar is small on purpose: an optional `@TARGET`, then an exact, case-sensitive command word (a
/// subcommand word for `add local` and the like). Raw commands (`run`, `py`, `!`) take the rest of the line
/// verbatim because another interpreter reads it; every other command gets it split into words the way a POSIX
/// shell would (`CommandLineSplitter.words`), so quoting works as users expect. Anything that is not a command is
/// refused with a hint rather than guessed at, because a guess could run something on a whole fleet.
public enum CommandParser {
    /// Parses one line.
    ///
    /// - Returns: nil for a blank line or a `#` comment line, which the REPL simply ignores.
    /// - Throws: `ParseError` naming the mistake and what to type instead.
    public static func parse(_ line: String) throws(ParseError) -> ParsedLine? {
        // Only leading whitespace goes here: raw remainders trim their own end, keeping an escaped last space.
        var body = LineText.leadingTrimmed(Substring(line))
        if body.isEmpty || body.hasPrefix("#") {
            return nil
        }
        var target: String?
        if body.hasPrefix("@") {
            let (word, rest) = LineText.firstWord(of: body)
            let name = String(word.dropFirst())
            guard !name.isEmpty else {
                throw ParseError("'@' needs a target before the command, e.g. @web1 run uptime", kind: .target)
            }
            guard !rest.isEmpty, !rest.hasPrefix("#") else {
                throw ParseError("'@\(name)' needs a command after it, e.g. @\(name) run uptime", kind: .target)
            }
            target = name
            body = rest
        }

        var type: any ChopCommand.Type
        var rest: Substring
        var typed: String
        if body.hasPrefix("!") {
            type = LocalShellCommand.self
            rest = body.dropFirst()
            typed = "!"
        } else {
            let (word, after) = LineText.firstWord(of: body)
            guard let found = CommandRegistry.command(named: word) else {
                throw unknownCommand(word, line: String(LineText.trimmed(body)))
            }
            type = found
            rest = after
            typed = word
        }
        if let target, !type.declaration.takesTarget {
            throw ParseError("'@\(target)' applies to operations such as run, not to '\(typed)'", kind: .target)
        }
        let (second, afterSecond) = LineText.firstWord(of: rest)
        if let sub = type.declaration.subcommands.first(where: { $0.declaration.subcommandWord == second }) {
            type = sub
            rest = afterSecond
            typed = sub.declaration.name
        }
        let declaration = type.declaration
        var arguments = CommandArguments(
            target: target, command: typed, usage: declaration.usage, specs: declaration.options)
        (arguments.leading, rest) = try OptionParser.leading(rest, specs: declaration.options, arguments: arguments)
        let rollout = try Rollout(arguments.leading, arguments: arguments)
        return ParsedLine(target: target, command: try parse(rest, as: type, arguments: arguments), rollout: rollout)
    }

    /// Reads the rest of the line (after the leading options) as `type`'s arguments.
    private static func parse<C: ChopCommand>(
        _ rest: Substring, as type: C.Type, arguments: CommandArguments
    ) throws(ParseError) -> C {
        var arguments = arguments
        arguments.raw = LineText.rawText(rest)
        if !type.declaration.rawArguments {
            arguments.words = try LineText.words(LineText.withoutComment(rest))
        }
        return try type.parse(arguments)
    }

    // MARK: - Unknown commands

    /// Common programs whose names are close to a chop command (`ls` ~ `last`, `ps` ~ `py`, `curl` ~ `call`):
    /// typing one of them almost certainly meant running it, so no typo is suggested for them.
    private static let shellCommands: Set<String> = [
        "ls", "ps", "cat", "sed", "df", "du", "rm", "cp", "mv", "id", "ip", "ss", "top", "kill", "pip", "git", "tar",
        "who", "w", "su", "dd", "vi", "nc", "sh", "man", "less", "more", "tail", "head", "sort",
        "stat", "curl", "wget", "grep", "find", "free", "date", "host", "cal", "file", "uniq", "echo", "test",
        "true", "yes", "tee", "cut", "nl", "ln", "dig", "lsof", "mount", "uname", "uptime", "sudo", "bash", "vim",
        "make", "pkill", "time", "wall", "fuser", "nice", "sync", "halt", "shutdown", "reset", "expr", "chown",
        "dash", "exec", "export", "hash", "htop", "init", "paste", "patch", "pip3", "ruby", "sdiff", "seq", "sftp",
        "stty", "tput", "unset", "users", "wait", "watch", "ldd", "link", "runc",
    ]

    static func unknownCommand(_ word: String, line: String) -> ParseError {
        if !shellCommands.contains(word), let guess = Suggestion.closest(to: word, among: CommandRegistry.commandNames)
        {
            return ParseError("unknown command '\(word)' — did you mean '\(guess)'?", kind: .unknownName)
        }
        return ParseError("unknown command '\(word)' — to run it on the hosts: run \(line)", kind: .unknownName)
    }
}
