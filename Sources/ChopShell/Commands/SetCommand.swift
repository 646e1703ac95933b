import Chopsticks

/// `set [KEY [VALUE]]`: show or change settings; every key is an entry of `Setting.all`.
public struct SetCommand: ChopCommand, Equatable {
    /// nil: list every setting.
    public var key: String?
    /// nil: show the one setting.
    public var value: String?

    /// Built once: every parsed line looks commands up by their declarations.
    public static let declaration: CommandDeclaration = {
        let width = Setting.all.map { $0.key.count + 1 + $0.valueHint.count }.max() ?? 0
        return CommandDeclaration(
            name: "set",
            helpOrder: 340,
            synopsis: "set [KEY [VALUE]]",
            summary: "show or change settings (set alone lists them)",
            help: Setting.all.map { setting in
                let head = "\(setting.key) \(setting.valueHint)"
                return "  " + head + String(repeating: " ", count: width - head.count + 3) + setting.summary
            }.joined(separator: "\n") + "\n\nExamples:\n  set\n  set timeout 30\n  set output json")
    }()

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> SetCommand {
        let words = arguments.words
        guard let key = words.first else { return SetCommand(key: nil, value: nil) }
        guard let setting = Setting.named(key) else {
            let list = Setting.keys.joined(separator: ", ")
            if let guess = Suggestion.closest(to: key, among: Setting.keys) {
                throw ParseError(
                    "unknown setting '\(key)' — did you mean '\(guess)'? Settings: \(list)", kind: .unknownName)
            }
            throw ParseError("unknown setting '\(key)' — settings: \(list)", kind: .unknownName)
        }
        guard words.count <= 2 else {
            throw arguments.error("too many arguments for set; quote a value that has spaces")
        }
        guard words.count == 2 else { return SetCommand(key: setting.key, value: nil) }
        // The table's own reader checks the value, so the parser and `apply` cannot disagree.
        var scratch = ShellSettings()
        do {
            try setting.apply(words[1], &scratch)
        } catch {
            throw ParseError(error.message)
        }
        return SetCommand(key: setting.key, value: words[1])
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        switch context.position {
        case 1: return Setting.keys
        case 2: return Setting.named(context.arguments[0])?.choices ?? []
        default: return []
        }
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        guard let value else {
            let listing = session.settings.listing.filter { key == nil || $0.0 == key }
            if session.settings.output == .json {
                session.emit([
                    "settings": .object(
                        Dictionary(uniqueKeysWithValues: listing.map { ($0.0, JSONValue.string($0.1)) }))
                ])
            } else if key == nil {
                for (name, current) in listing {
                    session.io.print("\(name.padding(toLength: 16, withPad: " ", startingAt: 0))\(current)")
                }
            } else {
                for (name, current) in listing { session.io.print("\(name) \(current)") }
            }
            return .ok
        }
        try session.settings.apply(key: key ?? "", value: value)
        session.group.fanout = session.settings.fanout
        return .ok
    }
}
