import Foundation

/// Why a line could not be parsed: one line that tells the user what to type instead.
///
/// Nothing has run when this is thrown, so the REPL can print `message` and prompt again.
public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A single, user-facing line; for wrong arguments it ends with the command's usage line.
    public let message: String

    /// Control characters in `message` (which often quotes what was typed) are made visible, so the message
    /// stays on one line and cannot drive the terminal.
    public init(_ message: String) {
        self.message = TerminalText.sanitize(message)
    }

    public init(message: String) {
        self.init(message)
    }

    public var description: String { message }
}

/// Turns one REPL line into a `ParsedLine`.
///
/// The grammar is small on purpose: an optional `@TARGET`, then an exact, case-sensitive command word. `run`,
/// `py` and `!` take the rest of the line verbatim because another interpreter reads it; every other command is
/// split into words the way a POSIX shell would (`CommandLineSplitter.words`), so quoting works as users expect.
/// Anything that is not a command is refused with a hint rather than guessed at, because a guess could run
/// something on a whole fleet.
public enum CommandParser {
    /// Every command word, in the order help lists them; `exit` is a synonym of `quit`. For completion.
    public static let commandNames: [String] = [
        "add", "remove", "hosts", "connect", "disconnect", "reconnect", "run", "call", "py", "facts", "put",
        "fetch", "ping", "use", "last", "failures", "log", "show", "diff", "set", "source", "record", "expect", "help",
        "quit", "exit",
    ]

    /// The commands that accept an `@TARGET` prefix: those that act on hosts. For completion and help.
    public static let operationNames: [String] = [
        "run", "call", "py", "facts", "put", "fetch", "ping", "connect", "disconnect", "reconnect", "hosts",
    ]

    /// The words that may follow `add` to add something other than SSH hosts. For completion.
    public static let addKinds: [String] = ["local", "sudo", "docker", "container"]

    /// Every key `set` accepts, in the order `set` lists them. For completion.
    public static let settingKeys: [String] = [
        "timeout", "fanout", "output", "gather", "color", "python", "docker-image", "errexit", "connect-timeout",
    ]

    /// The values `set KEY` accepts, or an empty list when the value is free-form (a number or a path).
    public static func settingValues(for key: String) -> [String] {
        switch key {
        case "output": ["table", "lines", "json"]
        case "gather", "errexit": ["on", "off"]
        case "color": ["auto", "on", "off"]
        default: []
        }
    }

    /// Parses one line.
    ///
    /// - Returns: nil for a blank line or a `#` comment line, which the REPL simply ignores.
    /// - Throws: `ParseError` naming the mistake and what to type instead.
    public static func parse(_ line: String) throws(ParseError) -> ParsedLine? {
        // Only leading whitespace goes here: raw remainders trim their own end, keeping an escaped last space.
        var body = leadingTrimmed(Substring(line))
        if body.isEmpty || body.hasPrefix("#") {
            return nil
        }
        var target: String?
        if body.hasPrefix("@") {
            let (word, rest) = firstWord(of: body)
            let name = String(word.dropFirst())
            guard !name.isEmpty else {
                throw ParseError("'@' needs a target before the command, e.g. @web1 run uptime")
            }
            guard !rest.isEmpty, !rest.hasPrefix("#") else {
                throw ParseError("'@\(name)' needs a command after it, e.g. @\(name) run uptime")
            }
            target = name
            body = rest
        }

        if body.hasPrefix("!") {
            try checkTarget(target, command: "!")
            let command = rawText(body.dropFirst())
            guard !command.isEmpty else {
                throw ParseError("! needs a local command, e.g. !ls -l")
            }
            return ParsedLine(target: nil, command: .local(command))
        }

        let (word, rest) = firstWord(of: body)
        guard commandNames.contains(word) else {
            throw unknownCommand(word, line: String(trimmed(body)))
        }
        try checkTarget(target, command: word)
        return ParsedLine(target: target, command: try command(word, rest: rest, target: target))
    }

    // MARK: - Commands

    private static func command(_ word: String, rest: Substring, target: String?) throws(ParseError) -> ShellCommand {
        switch word {
        case "run":
            let command = rawText(rest)
            guard !command.isEmpty else { throw ParseError("run needs a command, e.g. run uptime") }
            return .run(command)
        case "py":
            let code = rawText(rest)
            guard !code.isEmpty else { throw ParseError("py needs Python code, e.g. py import os; os.getcwd()") }
            return .py(code)
        default:
            break
        }

        let args = try words(withoutComment(rest))
        switch word {
        case "add":
            return try parseAdd(args)
        case "remove":
            guard !args.isEmpty else { throw usageError("remove needs at least one target", "remove") }
            return .remove(try targetWords(args, command: "remove"))
        case "hosts":
            try expectNoArguments(args, "hosts")
            return .hosts
        case "log":
            return .log(try targetWords(args, command: "log"))
        case "connect", "disconnect", "reconnect":
            if let target, !args.isEmpty {
                throw usageError("give the hosts either as '@\(target)' or after \(word), not both", word)
            }
            let targets = try targetWords(args, command: word)
            switch word {
            case "connect": return .connect(targets)
            case "disconnect": return .disconnect(targets)
            default: return .reconnect(targets)
            }
        case "call":
            return try parseCall(args)
        case "facts":
            return .facts(args)
        case "put":
            return try parsePut(args)
        case "fetch":
            let paths = try positionalOnly(args, command: "fetch", hint: fileHint)
            guard let remote = paths.first else { throw usageError("fetch needs a remote file", "fetch") }
            guard paths.count <= 2 else { throw usageError("too many arguments for fetch", "fetch") }
            return .fetch(remote: remote, localTemplate: paths.count == 2 ? paths[1] : nil)
        case "ping":
            try expectNoArguments(args, "ping")
            return .ping
        case "use":
            guard args.count == 1 else {
                if args.isEmpty {
                    throw usageError("use needs a target, e.g. use web[1-3] (use all for every host)", "use")
                }
                throw usageError(
                    "use takes one target; join names with commas: use \(args.joined(separator: ","))",
                    "use")
            }
            return .use(try targetWords(args, command: "use")[0])
        case "last":
            try expectNoArguments(args, "last")
            return .last
        case "failures":
            try expectNoArguments(args, "failures")
            return .failures
        case "show":
            guard args.count == 1 else {
                throw usageError(args.isEmpty ? "show needs a host" : "show takes one host", "show")
            }
            return .show(args[0])
        case "diff":
            guard let first = args.first else { throw usageError("diff needs a host", "diff") }
            guard args.count <= 2 else { throw usageError("diff takes one or two hosts", "diff") }
            return .diff(first, args.count == 2 ? args[1] : nil)
        case "set":
            return try parseSet(args)
        case "source":
            guard args.count == 1 else {
                throw usageError(args.isEmpty ? "source needs a file" : "source takes one file", "source")
            }
            return .source(args[0])
        case "record":
            guard args.count == 1 else {
                throw usageError(
                    args.isEmpty ? "record needs a file, or off to stop" : "record takes one file",
                    "record")
            }
            return .record(args[0] == "off" ? nil : args[0])
        case "expect":
            return try parseExpect(args)
        case "help":
            return try parseHelp(args)
        default:  // quit, exit
            try expectNoArguments(args, word)
            return .quit
        }
    }

    private static func parseAdd(_ args: [String]) throws(ParseError) -> ShellCommand {
        guard let kind = args.first else {
            throw usageError("add needs at least one host, e.g. add web[01-04]", "add")
        }
        let rest = Array(args.dropFirst())
        switch kind {
        case "local":
            let (names, options) = try splitOptions(rest, known: ["--python"], command: "add local", hint: nameHint)
            guard names.count <= 1 else { throw usageError("too many arguments for add local", "add local") }
            for name in names { try checkName(name, command: "add local") }
            return .addLocal(name: names.first, python: options["--python"])
        case "sudo":
            let (words, options) = try splitOptions(rest, known: ["--python"], command: "add sudo", hint: nameHint)
            guard words.count <= 2 else { throw usageError("too many arguments for add sudo", "add sudo") }
            for word in words { try checkName(word, command: "add sudo") }
            return .addSudo(
                user: words.first, name: words.count == 2 ? words[1] : nil, python: options["--python"])
        case "docker":
            let (names, options) = try splitOptions(
                rest, known: ["--image", "--python"], command: "add docker", hint: nameHint)
            guard !names.isEmpty else { throw usageError("add docker needs a container name", "add docker") }
            for name in names { try checkName(name, command: "add docker") }
            return .addDocker(names: names, image: options["--image"], python: options["--python"])
        case "container":
            let (names, options) = try splitOptions(
                rest, known: ["--python"], command: "add container", hint: nameHint)
            guard !names.isEmpty else {
                throw usageError("add container needs a container name", "add container")
            }
            for name in names { try checkName(name, command: "add container") }
            return .addContainer(names: names, python: options["--python"])
        default:
            let hint = "; host names cannot start with '-'"
            let (hosts, options) = try splitOptions(args, known: ["--python"], command: "add", hint: hint)
            guard !hosts.isEmpty else { throw usageError("add needs at least one host, e.g. add web[01-04]", "add") }
            for host in hosts { try checkName(host, command: "add") }
            return .add(hosts: hosts, python: options["--python"])
        }
    }

    private static func parseCall(_ args: [String]) throws(ParseError) -> ShellCommand {
        guard let function = args.first else {
            throw usageError("call needs a function, e.g. call os.getloadavg", "call")
        }
        guard isDottedName(function) else {
            throw usageError("'\(function)' is not a Python function name such as os.getcwd", "call")
        }
        // Each argument is kept as typed: the agent reads it as a Python literal on the host, exactly.
        var positional: [String] = []
        var keywords: [String: String] = [:]
        for word in args.dropFirst() {
            if let equals = word.firstIndex(of: "="), isIdentifier(word[..<equals]) {
                let key = String(word[..<equals])
                guard keywords[key] == nil else {
                    throw usageError("keyword argument '\(key)' is given twice", "call")
                }
                keywords[key] = String(word[word.index(after: equals)...])
            } else {
                guard keywords.isEmpty else {
                    throw usageError("positional argument '\(word)' follows keyword arguments", "call")
                }
                positional.append(word)
            }
        }
        return .call(function: function, args: positional, kwargs: keywords)
    }

    private static func parsePut(_ args: [String]) throws(ParseError) -> ShellCommand {
        let (paths, options) = try splitOptions(args, known: ["--mode"], command: "put", hint: fileHint)
        guard let local = paths.first else { throw usageError("put needs a local file", "put") }
        guard paths.count <= 2 else { throw usageError("too many arguments for put", "put") }
        var mode: Int?
        if let text = options["--mode"] {
            guard let value = parseMode(text) else {
                throw usageError("mode must be octal, such as 0644 or 0755, not '\(text)'", "put")
            }
            mode = value
        }
        return .put(local: local, remote: paths.count == 2 ? paths[1] : nil, mode: mode)
    }

    /// Reads `0755`, `755` or `0o755` as permission bits, up to `0o7777`.
    static func parseMode(_ text: String) -> Int? {
        var digits = Substring(text)
        if digits.hasPrefix("0o") || digits.hasPrefix("0O") {
            digits = digits.dropFirst(2)
        }
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7") }),
            let value = Int(digits, radix: 8), value <= 0o7777
        else { return nil }
        return value
    }

    private static func parseSet(_ args: [String]) throws(ParseError) -> ShellCommand {
        guard let key = args.first else { return .set(key: nil, value: nil) }
        guard settingKeys.contains(key) else {
            let list = settingKeys.joined(separator: ", ")
            if let guess = suggestion(for: key, among: settingKeys) {
                throw ParseError("unknown setting '\(key)' — did you mean '\(guess)'? Settings: \(list)")
            }
            throw ParseError("unknown setting '\(key)' — settings: \(list)")
        }
        guard args.count <= 2 else {
            throw usageError("too many arguments for set; quote a value that has spaces", "set")
        }
        guard args.count == 2 else { return .set(key: key, value: nil) }
        let value = args[1]
        if let problem = settingProblem(key: key, value: value) {
            throw ParseError(problem)
        }
        return .set(key: key, value: value)
    }

    /// Why `value` is not acceptable for `key`, or nil when it is.
    private static func settingProblem(key: String, value: String) -> String? {
        let choices = settingValues(for: key)
        if !choices.isEmpty {
            guard choices.contains(value) else {
                let list = choices.dropLast().joined(separator: ", ") + " or " + (choices.last ?? "")
                return "\(key) must be \(list), not '\(value)'"
            }
            return nil
        }
        switch key {
        case "timeout":
            guard value == "none" || value == "off" || (isDecimal(value) && Double(value)?.isFinite == true) else {
                return "timeout must be a number of seconds such as 30 or 2.5, or none, not '\(value)'"
            }
        case "connect-timeout":
            guard value.utf8.allSatisfy(isDigit), let seconds = Int(value), (1...600).contains(seconds) else {
                return "connect-timeout must be whole seconds from 1 to 600, not '\(value)'"
            }
        case "fanout":
            guard value.utf8.allSatisfy(isDigit), let count = Int(value), (1...10_000).contains(count) else {
                return "fanout must be a number of hosts from 1 to 10000, not '\(value)'"
            }
        default:  // python (a path, or auto), docker-image
            let example = key == "python" ? "/usr/bin/python3" : "python:3-slim"
            guard !value.isEmpty, !value.hasPrefix("-"), !hasSpaceOrControl(value) else {
                return "\(key) must be one word such as \(example), not '\(value)'"
            }
        }
        return nil
    }

    private static func parseExpect(_ args: [String]) throws(ParseError) -> ShellCommand {
        switch args.first {
        case "ok":
            guard args.count == 1 else { throw usageError("expect ok takes nothing more", "expect") }
            return .expect(.ok)
        case "failed":
            guard args.count > 1 else { throw usageError("expect failed needs the hosts that failed", "expect") }
            return .expect(.failed(Array(args.dropFirst())))
        case nil:
            throw usageError("expect needs ok or failed", "expect")
        case let other?:
            throw usageError("expect needs ok or failed, not '\(other)'", "expect")
        }
    }

    private static func parseHelp(_ args: [String]) throws(ParseError) -> ShellCommand {
        guard let topic = args.first else { return .help(nil) }
        guard args.count == 1 else { throw usageError("help takes one topic", "help") }
        guard CommandHelp.help(for: topic) != nil else {
            if let guess = suggestion(for: topic, among: commandNames + CommandHelp.extraTopics) {
                throw ParseError("no help for '\(topic)' — did you mean 'help \(guess)'?")
            }
            throw ParseError("no help for '\(topic)' — try help, help targets or help keys")
        }
        return .help(topic)
    }

    // MARK: - Arguments

    private static let optionExamples = ["--python": "/usr/bin/python3", "--image": "python:3-slim", "--mode": "0755"]
    private static let nameHint = "; names cannot start with '-'"
    private static let fileHint = "; write ./-name for a file whose name starts with '-'"

    /// Separates `--option VALUE` and `--option=VALUE` from the other words; any other word starting with `-`
    /// is refused, so a mistyped option never becomes a host or file name.
    private static func splitOptions(
        _ args: [String], known: [String], command: String, hint: String
    ) throws(ParseError) -> (positional: [String], options: [String: String]) {
        var positional: [String] = []
        var options: [String: String] = [:]
        var index = 0
        while index < args.count {
            let word = args[index]
            index += 1
            guard word.hasPrefix("-") else {
                positional.append(word)
                continue
            }
            let name: String
            var value: String?
            if let equals = word.firstIndex(of: "=") {
                name = String(word[..<equals])
                value = String(word[word.index(after: equals)...])
            } else {
                name = word
            }
            guard known.contains(name) else {
                throw usageError("unknown option '\(name)' for \(command)\(hint)", command)
            }
            if value == nil, index < args.count {
                value = args[index]
                index += 1
            }
            guard let value, !value.isEmpty, !value.hasPrefix("-") else {
                throw usageError("\(name) needs a value, e.g. \(name) \(optionExamples[name] ?? "VALUE")", command)
            }
            guard options[name] == nil else { throw usageError("\(name) is given twice", command) }
            options[name] = value
        }
        return (positional, options)
    }

    private static func positionalOnly(_ args: [String], command: String, hint: String) throws(ParseError)
        -> [String]
    {
        try splitOptions(args, known: [], command: command, hint: hint).positional
    }

    /// Checks a host, container, user or local name: something that must be one plain word.
    private static func checkName(_ name: String, command: String) throws(ParseError) {
        let what = command == "add" ? "host names" : "names"
        if name.isEmpty {
            throw usageError("\(what) cannot be empty", command)
        }
        if hasSpaceOrControl(name) {
            throw usageError("'\(name)': \(what) cannot contain spaces or control characters", command)
        }
        if name.hasPrefix("@") {
            throw usageError("'\(name)': \(what) cannot start with '@', which marks a target", command)
        }
        if name.contains("*") || name.contains("?") {
            throw usageError(
                "'\(name)': \(what) cannot contain '*' or '?'; globs select hosts already added",
                command)
        }
    }

    /// Target words for `use`, `remove` and the connection commands: one leading `@` is optional.
    private static func targetWords(_ args: [String], command: String) throws(ParseError) -> [String] {
        var targets: [String] = []
        for word in args {
            let target = word.hasPrefix("@") ? String(word.dropFirst()) : word
            guard !target.isEmpty else {
                throw usageError(
                    "'\(word)' is not a target; name hosts such as web1, web[1-3], web* or failed",
                    command)
            }
            targets.append(target)
        }
        return targets
    }

    private static func expectNoArguments(_ args: [String], _ command: String) throws(ParseError) {
        guard args.isEmpty else { throw usageError("\(command) takes no arguments", command) }
    }

    private static func checkTarget(_ target: String?, command: String) throws(ParseError) {
        guard let target, !operationNames.contains(command) else { return }
        throw ParseError("'@\(target)' applies to operations such as run, not to '\(command)'")
    }

    private static func usageError(_ problem: String, _ command: String) -> ParseError {
        ParseError("\(problem) — usage: \(CommandHelp.usage(command))")
    }

    // MARK: - Unknown commands

    /// Common programs whose names are close to a chop command (`ls` ~ `last`, `ps` ~ `py`, `curl` ~ `call`):
    /// typing one of them almost certainly meant running it, so no typo is suggested for them.
    private static let shellCommands: Set<String> = [
        "ls", "ps", "cat", "sed", "df", "du", "rm", "cp", "mv", "id", "ip", "ss", "top", "kill", "pip", "git", "tar",
        "env", "who", "w", "su", "cd", "pwd", "dd", "vi", "nc", "sh", "man", "less", "more", "tail", "head", "sort",
        "stat", "curl", "wget", "grep", "find", "free", "date", "host", "cal", "file", "uniq", "echo", "test",
        "true", "yes", "tee", "cut", "nl", "ln", "dig", "lsof", "mount", "uname", "uptime", "sudo", "bash", "vim",
        "make", "pkill", "time", "wall", "fuser", "nice", "sync", "halt", "shutdown", "reset", "expr", "chown",
        "dash", "exec", "export", "hash", "htop", "init", "paste", "patch", "pip3", "ruby", "sdiff", "seq", "sftp",
        "stty", "tput", "unset", "users", "wait", "watch", "ldd", "link", "runc",
    ]

    private static func unknownCommand(_ word: String, line: String) -> ParseError {
        if !shellCommands.contains(word), let guess = suggestion(for: word, among: commandNames) {
            return ParseError("unknown command '\(word)' — did you mean '\(guess)'?")
        }
        return ParseError("unknown command '\(word)' — to run it on the hosts: run \(line)")
    }

    /// The closest candidate when `word` looks like a typo of it: one edit away for words of up to three
    /// characters, two edits for longer ones (a swap of neighbours counts as one edit).
    /// Case is ignored, so `RUN` suggests `run`.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        let limit = word.count <= 3 ? 1 : 2
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != word {
            let distance = editDistance(word.lowercased(), candidate)
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, table[i - 2][j - 2] + 1)
                }
                table[i][j] = value
            }
        }
        return table[a.count][b.count]
    }

    // MARK: - Text helpers

    /// Unquoted characters that separate words, as in `CommandLineSplitter`.
    private static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == " " || scalar == "\t" || scalar == "\r" || scalar == "\n"
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func hasSpaceOrControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { scalar in
            scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
        }
    }

    /// `12`, `2.5`, `.5` or `5.`: plain decimal notation, without signs, exponents, `inf` or hex.
    private static func isDecimal(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count <= 2 && parts.contains { !$0.isEmpty } && parts.allSatisfy { $0.utf8.allSatisfy(isDigit) }
    }

    /// The text without separating whitespace at its start (scalar-wise, so `\r\n` counts as two).
    private static func leadingTrimmed(_ text: Substring) -> Substring {
        var scalars = text.unicodeScalars
        while let first = scalars.first, isSpace(first) {
            scalars.removeFirst()
        }
        return Substring(scalars)
    }

    /// The text without separating whitespace at either end.
    private static func trimmed(_ text: Substring) -> Substring {
        var scalars = leadingTrimmed(text).unicodeScalars
        while let last = scalars.last, isSpace(last) {
            scalars.removeLast()
        }
        return Substring(scalars)
    }

    /// The first run of non-space characters, and what follows the whitespace after it.
    private static func firstWord(of text: Substring) -> (word: String, rest: Substring) {
        let scalars = text.unicodeScalars
        let end = scalars.firstIndex(where: isSpace) ?? scalars.endIndex
        var restStart = end
        while restStart < scalars.endIndex, isSpace(scalars[restStart]) {
            restStart = scalars.index(after: restStart)
        }
        return (String(scalars[..<end]), Substring(scalars[restStart...]))
    }

    /// A raw remainder (`run`, `py`, `!`): trimmed, but otherwise exactly as typed. A trailing space or tab that
    /// a backslash escapes is part of the command (`echo a\ `), so it is kept.
    private static func rawText(_ text: Substring) -> String {
        var scalars = text.unicodeScalars
        while let first = scalars.first, isSpace(first) {
            scalars.removeFirst()
        }
        var firstTrailing: Unicode.Scalar?
        while let last = scalars.last, isSpace(last) {
            firstTrailing = scalars.removeLast()
        }
        if let firstTrailing, firstTrailing == " " || firstTrailing == "\t" {
            let backslashes = scalars.reversed().prefix { $0 == "\\" }.count
            if backslashes % 2 == 1 {
                scalars.append(firstTrailing)
            }
        }
        return String(scalars)
    }

    /// The text before an unquoted `#` that starts a word, as in a POSIX shell: `use web1  # the canary`.
    private static func withoutComment(_ text: Substring) -> Substring {
        let scalars = text.unicodeScalars
        var index = scalars.startIndex
        var quote: Unicode.Scalar?
        var atWordStart = true
        while index < scalars.endIndex {
            let scalar = scalars[index]
            if let open = quote {
                if scalar == open {
                    quote = nil
                } else if open == "\"", scalar == "\\", scalars.index(after: index) < scalars.endIndex {
                    index = scalars.index(after: index)
                }
            } else if scalar == "\\" {
                atWordStart = false
                if scalars.index(after: index) < scalars.endIndex {
                    index = scalars.index(after: index)
                }
            } else if scalar == "'" || scalar == "\"" {
                quote = scalar
                atWordStart = false
            } else if scalar == "#", atWordStart {
                return Substring(scalars[..<index])
            } else {
                atWordStart = isSpace(scalar)
            }
            index = scalars.index(after: index)
        }
        return text
    }

    private static func words(_ text: Substring) throws(ParseError) -> [String] {
        do {
            return try CommandLineSplitter.words(String(text))
        } catch {
            switch error.kind {
            case .unterminatedSingleQuote: throw ParseError("\(error.message): add the closing '")
            case .unterminatedDoubleQuote: throw ParseError("\(error.message): add the closing \"")
            case .trailingBackslash: throw ParseError("\(error.message): remove it, or write \\\\ for a backslash")
            }
        }
    }

    /// `name` or `package.module.name`, each part a Python identifier.
    static func isDottedName(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        return parts.allSatisfy(isIdentifier)
    }

    /// An ASCII Python identifier: a letter or `_`, then letters, digits and `_`.
    static func isIdentifier(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, !isDigit(first) else { return false }
        return text.utf8.allSatisfy { byte in
            let lower = byte | 0x20
            let letter = lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
            return letter || isDigit(byte) || byte == UInt8(ascii: "_")
        }
    }
}
