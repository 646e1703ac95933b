/// Word flags without values (`put -r`, `sync --delete`), taken out before the usual option parsing.
///
/// Kept apart on purpose: the shell's declarative option model replaces this once it lands.
extension CommandArguments {
    /// The arguments without the words in `flags`, and which of them were given; a flag given twice is refused.
    func takingFlags(_ flags: [String]) throws(ParseError) -> (CommandArguments, Set<String>) {
        var rest = self
        var given: Set<String> = []
        rest.words = []
        for word in words {
            if flags.contains(word) {
                guard given.insert(word).inserted else { throw error("\(word) is given twice") }
            } else {
                rest.words.append(word)
            }
        }
        return (rest, given)
    }
}
