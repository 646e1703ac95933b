/// A command that takes exactly one word: `show HOST`, `source FILE`.
public protocol OneWordCommand: ChopCommand {
    init(word: String)
    /// What the word is, for errors: "host", "file".
    static var wordName: String { get }
}

extension OneWordCommand {
    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> Self {
        guard arguments.words.count == 1 else {
            let name = arguments.command
            throw arguments.error(
                arguments.words.isEmpty ? "\(name) needs a \(wordName)" : "\(name) takes one \(wordName)")
        }
        return Self(word: arguments.words[0])
    }
}
