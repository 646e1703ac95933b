/// Every chop command, in the order `help` lists them. `commands` is generated (CommandRegistryPlugin) from the
/// command files: the type in `Commands/NameCommand.swift` whose declaration has a `helpOrder` is listed, in that
/// order, so adding a command is one new file.
public enum CommandRegistry {
    /// The command a word invokes (its name or an alias), among the top-level commands.
    public static func command(named word: String) -> (any ChopCommand.Type)? {
        commands.first { $0.declaration.name == word || $0.declaration.aliases.contains(word) }
    }

    /// Every word that invokes a top-level command, aliases included, in help order (`!` excluded: it is a
    /// prefix, not a word). For completion and typo suggestions.
    public static var commandNames: [String] {
        commands.flatMap { [$0.declaration.name] + $0.declaration.aliases }.filter { $0 != "!" }
    }

    /// The commands that take an `@TARGET` prefix, for help and completion.
    public static var operationNames: [String] {
        commands.filter { $0.declaration.takesTarget }.map { $0.declaration.name }
    }

    /// Every command and subcommand, for help and for tests that walk them all.
    public static var allDeclared: [any ChopCommand.Type] {
        commands.flatMap { [$0] + $0.declaration.subcommands }
    }
}
