/// One chop command, declared in one file: its names, help, argument grammar, completions and work.
///
/// `CommandRegistry.commands` lists every command; the parser, `help`, Tab completion and the typo suggestions
/// all read it. It is generated from the command files (CommandRegistryPlugin: each declaration with a
/// `helpOrder`), so adding a command is one new file. swift-argument-parser's `subcommands:` and swift-format's
/// one-file-per-rule are the models. Grammars several commands share come as protocols with a default `parse`
/// (`ArgumentlessCommand`, `VerbatimCommand`, `TargetListCommand`, `OneWordCommand`), so a command declares only
/// what is its own.
public protocol ChopCommand: Sendable {
    /// How the command is typed and described.
    static var declaration: CommandDeclaration { get }

    /// Reads the command's arguments (everything after its name) into a command value, or says what is wrong.
    /// Nothing has touched a host yet when this throws.
    static func parse(_ arguments: CommandArguments) throws(ParseError) -> Self

    /// Tab-completion candidates for the argument being typed (filtered by prefix by the caller).
    static func complete(_ context: CompletionContext) -> [String]

    /// Help lines that depend on the session, e.g. the fact names the connected agents report.
    static func liveDetails(_ session: isolated Session) -> [String]

    /// The line as chop repeats it (JSON's `command`, a recording), given the line as typed: the same, but for
    /// a line with a secret in it (`env API_TOKEN=…`), whose value becomes `***`.
    func shownLine(_ typed: String) -> String

    /// Does the command's work against the session. `target` is the line's `@TARGET`, if any.
    func run(in session: isolated Session, target: String?) async throws -> CommandResult
}

extension ChopCommand {
    public static func complete(_ context: CompletionContext) -> [String] { [] }

    public static func liveDetails(_ session: isolated Session) -> [String] { [] }

    public func shownLine(_ typed: String) -> String { typed }
}
