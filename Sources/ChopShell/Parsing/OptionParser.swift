/// Reads every command's options from its declaration (`CommandDeclaration.options`): `--name VALUE`,
/// `--name=VALUE`, short aliases, flags, optional values and repeatable options, among the command's words or
/// (`OptionSpec.Placement.leading`) before a verbatim command. One parser, so `--x=v` works wherever `--x v`
/// does, and every command refuses a mistyped option with the same words.
public enum OptionParser {
    /// Separates the options declared `.anywhere` from the other words; any other word starting with `-` is
    /// refused (`hint` says how to write such a name), so a mistyped option never becomes a host or file name.
    static func read(
        _ words: [String], specs: [OptionSpec], arguments: CommandArguments, hint: String
    ) throws(ParseError) -> (positional: [String], options: OptionValues) {
        let specs = specs.filter { $0.placement == .anywhere }
        var positional: [String] = []
        var options = OptionValues()
        var index = 0
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("-") else {
                positional.append(word)
                continue
            }
            let (name, inline) = split(word)
            guard let spec = specs.first(where: { $0.isNamed(name) }) else {
                throw arguments.error("unknown option '\(name)' for \(arguments.command)\(hint)")
            }
            var value = inline ?? ""
            switch spec.arity {
            case .flag:
                guard inline == nil else { throw arguments.error("\(spec.name) takes no value") }
            case .value(let placeholder):
                if inline == nil, index < words.count {
                    value = words[index]
                    index += 1
                }
                guard !value.isEmpty, !value.hasPrefix("-") else {
                    throw arguments.error(
                        "\(spec.name) needs a value, e.g. \(spec.name) \(spec.example ?? placeholder)")
                }
            case .optionalValue(_, let implied):
                if inline == nil {
                    if index < words.count, !words[index].hasPrefix("-") {
                        value = words[index]
                        index += 1
                    } else {
                        value = implied
                    }
                }
            }
            guard spec.repeatable || !options.has(spec.name) else {
                throw arguments.error("\(spec.name) is given twice")
            }
            options.add(spec.name, value)
        }
        return (positional, options)
    }

    /// Reads the options declared `.leading` from the start of `text` (quoted as in a shell), up to the first
    /// word that is not one of them, or `--`; returns them and the rest of the text, verbatim. An optional
    /// value is taken only as `--name=VALUE` here: the next word is the command's.
    static func leading(
        _ text: Substring, specs: [OptionSpec], arguments: CommandArguments
    ) throws(ParseError) -> (options: OptionValues, rest: Substring) {
        let specs = specs.filter { $0.placement == .leading }
        var options = OptionValues()
        var rest = text
        while !specs.isEmpty {
            let (word, after) = LineText.firstWord(of: rest)
            if word == "--" {
                rest = after
                break
            }
            let (name, inline) = split(word)
            guard word.hasPrefix("-"), let spec = specs.first(where: { $0.isNamed(name) }) else { break }
            rest = after
            var value = ""
            switch spec.arity {
            case .flag:
                guard inline == nil else { throw arguments.error("\(spec.name) takes no value") }
            case .value:
                if let inline {
                    value = try LineText.words(Substring(inline)).first ?? ""
                } else {
                    (value, rest) = try LineText.firstQuotedWord(of: rest)
                }
            case .optionalValue(_, let implied):
                value =
                    try inline.map { text throws(ParseError) in try LineText.words(Substring(text)).first ?? "" }
                    ?? implied
            }
            guard spec.repeatable || !options.has(spec.name) else {
                throw arguments.error("\(spec.name) is given twice")
            }
            options.add(spec.name, value)
        }
        return (options, rest)
    }

    /// `--name=value` → (`--name`, `value`); a word without `=` has no inline value.
    private static func split(_ word: String) -> (name: String, inline: String?) {
        guard let equals = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<equals]), String(word[word.index(after: equals)...]))
    }
}
