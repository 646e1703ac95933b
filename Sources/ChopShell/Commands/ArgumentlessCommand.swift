/// A command that takes no arguments: `hosts`, `ping`, `last`, `failures`, `quit`.
public protocol ArgumentlessCommand: ChopCommand {
    init()
}

extension ArgumentlessCommand {
    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> Self {
        try arguments.expectNone()
        return Self()
    }
}
