/// Every chop command, in the order `help` lists them. Adding a command is one file plus one line here.
public enum CommandRegistry {
    public static let commands: [any ChopCommand.Type] = [
        AddCommand.self,
        InventoryCommand.self,
        RemoveCommand.self,
        HostsCommand.self,
        ConnectCommand.self,
        DisconnectCommand.self,
        ReconnectCommand.self,
        TrustCommand.self,
        PasswordCommand.self,
        RunCommand.self,
        CallCommand.self,
        PyCommand.self,
        ImportCommand.self,
        WhereCommand.self,
        ScriptCommand.self,
        CdCommand.self,
        PwdCommand.self,
        FactsCommand.self,
        PutCommand.self,
        FetchCommand.self,
        SyncCommand.self,
        PingCommand.self,
        UseCommand.self,
        NameCommand.self,
        NamesCommand.self,
        LastCommand.self,
        ResultsCommand.self,
        WatchCommand.self,
        FailuresCommand.self,
        LogCommand.self,
        ShowCommand.self,
        DiffCommand.self,
        SaveCommand.self,
        SetCommand.self,
        EnvCommand.self,
        LocalShellCommand.self,
        SourceCommand.self,
        RecordCommand.self,
        ExpectCommand.self,
        HelpCommand.self,
        QuitCommand.self,
    ]

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
