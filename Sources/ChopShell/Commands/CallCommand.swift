/// `call FUNCTION [ARG...] [KEY=VALUE...]`: a Python function by dotted name on each host.
public struct CallCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "call",
        helpOrder: 110,
        synopsis: "call FUNCTION [ARG...] [KEY=VALUE...]",
        summary: "call a Python function on each host, show what it returns",
        takesTarget: true,
        options: OptionSpec.rollout,
        help: """
            FUNCTION is a dotted name that chop imports on the host: os.getloadavg, shutil.disk_usage.
            Each argument is read on the host as a Python literal (ast.literal_eval), so values are exact:
            5, 2.5, 1180591620717411303424, True, None, b'raw', '(1, 2)', "{'a': 1}", JSON '[1, null]'.
            Any other word is a string: /etc/hosts needs no quotes. To pass the string 5, write "'5'".
            Quote lists and dicts that contain spaces. KEY=VALUE passes a keyword argument.

            Examples:
              call os.getloadavg
              call shutil.disk_usage /var
              call subprocess.check_output '["id", "-u"]' text=True
            """)

    public var function: String
    /// Arguments as typed (after shell-style unquoting): the agent reads each one as a Python literal with
    /// `ast.literal_eval`, so big integers, bytes and tuples arrive exactly, and a word that is no literal
    /// (`/etc/hosts`) is a string.
    public var args: [String]
    public var kwargs: [String: String]

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> CallCommand {
        guard let function = arguments.words.first else {
            throw arguments.error("call needs a function, e.g. call os.getloadavg")
        }
        guard TextChecks.isDottedName(function) else {
            throw arguments.error("'\(function)' is not a Python function name such as os.getcwd")
        }
        var positional: [String] = []
        var keywords: [String: String] = [:]
        for word in arguments.words.dropFirst() {
            if let equals = word.firstIndex(of: "="), TextChecks.isIdentifier(word[..<equals]) {
                let key = String(word[..<equals])
                guard keywords[key] == nil else { throw arguments.error("keyword argument '\(key)' is given twice") }
                keywords[key] = String(word[word.index(after: equals)...])
            } else {
                guard keywords.isEmpty else {
                    throw arguments.error("positional argument '\(word)' follows keyword arguments")
                }
                positional.append(word)
            }
        }
        return CallCommand(function: function, args: positional, kwargs: keywords)
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let (function, args, kwargs) = (self.function, self.args, self.kwargs)
        return try await session.operate(
            "call", target: target,
            { try await $0.call(function, literals: args, keywordLiterals: kwargs) }, describe: HostOutcome.json)
    }
}
