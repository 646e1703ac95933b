/// The shared grammar of `connect`, `disconnect` and `reconnect`: targets after the word, or `@TARGET`,
/// not both.
enum ConnectionTargets {
    static func parse(_ arguments: CommandArguments) throws(ParseError) -> [String] {
        if let target = arguments.target, !arguments.words.isEmpty {
            throw arguments.error("give the hosts either as '@\(target)' or after \(arguments.command), not both")
        }
        return try arguments.targetWords()
    }
}
