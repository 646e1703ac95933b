import Chopsticks

/// `env [NAME=VALUE...]`, `env -u NAME`: the session environment every `run` and `script` process gets.
public struct EnvCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "env",
        helpOrder: 350,
        synopsis: "env [NAME=VALUE...] [-u NAME...]",
        summary: "set, unset or show variables for every run and script",
        help: """
            NAME=VALUE sets a variable for every later run and script process on every host (the agent
            starts them with it; sshd's AcceptEnv plays no part); -u NAME unsets it; env alone lists
            them. A value whose name contains TOKEN, PASSWORD, SECRET or KEY is shown as ***, and a line
            that sets one stays out of history, and out of a recording but for a note.
            Quote a VALUE with spaces as in a shell: env GREETING='hello world'.

            Examples:
              env
              env LANG=C.UTF-8 APP_ENV=staging
              env -u APP_ENV
              env GREETING='hello world'
            """)

    /// Assignments in the order typed, then the names to unset.
    public var assignments: [Assignment]
    public var unset: [String]

    /// `NAME=VALUE`, made only by `parse` (its memberwise init is internal).
    public struct Assignment: Sendable, Equatable {
        public var name: String
        public var value: String
    }

    public init(assignments: [Assignment] = [], unset: [String] = []) {
        self.assignments = assignments
        self.unset = unset
    }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> EnvCommand {
        var command = EnvCommand()
        var index = 0
        let words = arguments.words
        func checked(_ name: String) throws(ParseError) -> String {
            guard SessionEnvironment.isValidName(name) else {
                throw arguments.error(
                    "'\(name)' is not a variable name: letters, digits and _, not starting with a digit")
            }
            return name
        }
        while index < words.count {
            let word = words[index]
            index += 1
            if word == "-u" {
                guard index < words.count else { throw arguments.error("-u needs a name, e.g. env -u APP_ENV") }
                command.unset.append(try checked(words[index]))
                index += 1
            } else if let equals = word.firstIndex(of: "="), !word.hasPrefix("-") {
                let name = try checked(String(word[..<equals]))
                command.assignments.append(Assignment(name: name, value: String(word[word.index(after: equals)...])))
            } else if word.hasPrefix("-") {
                throw arguments.error("unknown option '\(word)' for env; -u NAME unsets a variable")
            } else {
                throw arguments.error("'\(word)' sets nothing: write NAME=VALUE, e.g. env APP_ENV=staging")
            }
        }
        return command
    }

    /// The line with every secret's value as `***`, wherever chop repeats the line.
    public func shownLine(_ typed: String) -> String {
        let secrets = assignments.filter { SessionEnvironment.isSecret($0.name) }
        guard !secrets.isEmpty else { return typed }
        let words =
            assignments.map { "\($0.name)=" + CommandLineSplitter.quote(SessionEnvironment.shown($0.name, $0.value)) }
            + unset.map { "-u \($0)" }
        return (["env"] + words).joined(separator: " ")
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        for name in unset { session.environment.unset(name) }
        for assignment in assignments { session.environment.set(assignment.name, assignment.value) }
        guard assignments.isEmpty, unset.isEmpty else { return .ok }
        let lines = session.environment.shownLines
        if session.settings.output == .json {
            let shown = session.environment.values.keys.sorted().map { name in
                (name, JSONValue.string(SessionEnvironment.shown(name, session.environment.values[name]!)))
            }
            session.emit(["env": .object(Dictionary(uniqueKeysWithValues: shown))])
        } else if lines.isEmpty {
            session.io.print("no variables set; env NAME=VALUE sets one for every run and script")
        } else {
            for line in lines { session.io.print(TerminalText.sanitize(line)) }
        }
        return .ok
    }
}
