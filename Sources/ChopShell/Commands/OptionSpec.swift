/// One option a command declares: `OptionParser` reads it, and usage lines, `help`'s Options section, Tab
/// completion and the registry test are generated from it. Adding a flag to a command is one line in its
/// declaration (`.flag("--recursive", short: "-r", "copy a folder and what it holds")`).
///
/// As swift-argument-parser's `@Option`/`@Flag`, minus property wrappers: chop's commands are plain values that
/// their `parse` builds from `OptionValues`, so that their own checks keep their one-line errors.
public struct OptionSpec: Sendable, Equatable {
    /// What follows the option's name.
    public enum Arity: Sendable, Equatable {
        /// Nothing: `--yes`.
        case flag
        /// One value, as `--mode 0640` or `--mode=0640`; the text is the placeholder shown in usage (`MODE`).
        case value(String)
        /// A value that may be left out (`--sudo`, `--sudo USER`, `--sudo=USER`): the next word is taken when
        /// there is one that does not start with `-`; `implied` is the value otherwise (`root`).
        case optionalValue(String, implied: String)
    }

    /// Where on the line the option may stand.
    public enum Placement: Sendable, Equatable {
        /// Among the command's words, before or after the others.
        case anywhere
        /// Before the command's first argument only: for a verbatim command (`run --batch 10% CMD`, where
        /// whatever follows is another program's), the first word that is not a known option ends them, and so
        /// does `--`.
        case leading
    }

    /// `--name`.
    public var name: String
    /// A one-letter alias such as `-y`, or nil.
    public var short: String?
    public var arity: Arity
    /// Whether it may be given more than once (`--fingerprint A --fingerprint B`): every value is kept.
    public var repeatable: Bool
    public var placement: Placement
    /// One line for `help COMMAND`.
    public var summary: String
    /// A value shown in "needs a value" errors (`--mode 0755`); the placeholder when nil.
    public var example: String?
    /// Values Tab offers after the option (`on`, `off`); empty: whatever the command completes there.
    public var values: [String]
    /// Options shown together in usage lines under one name (`[ROLLOUT]`), e.g. the shared rollout group.
    public var group: String?

    public init(
        _ name: String, short: String? = nil, arity: Arity, repeatable: Bool = false, placement: Placement = .anywhere,
        example: String? = nil, values: [String] = [], group: String? = nil, _ summary: String
    ) {
        self.name = name
        self.short = short
        self.arity = arity
        self.repeatable = repeatable
        self.placement = placement
        self.summary = summary
        self.example = example
        self.values = values
        self.group = group
    }

    /// A flag: `--yes`.
    public static func flag(
        _ name: String, short: String? = nil, placement: Placement = .anywhere, _ summary: String
    ) -> OptionSpec {
        OptionSpec(name, short: short, arity: .flag, placement: placement, summary)
    }

    /// An option with a value: `--mode MODE`.
    public static func value(
        _ name: String, _ placeholder: String, short: String? = nil, repeatable: Bool = false,
        placement: Placement = .anywhere, example: String? = nil, values: [String] = [], _ summary: String
    ) -> OptionSpec {
        OptionSpec(
            name, short: short, arity: .value(placeholder), repeatable: repeatable, placement: placement,
            example: example, values: values, summary)
    }

    /// Whether a typed word names this option (`--mode`, or its short alias).
    func isNamed(_ word: String) -> Bool { word == name || (short != nil && word == short) }

    /// Whether it takes a value (always or optionally).
    var takesValue: Bool { arity != .flag }

    /// The option as usage lines show it: `[--mode MODE]`, `[--sudo [USER]]`, `[--fingerprint SHA256:…]...`.
    public var usage: String {
        let written: String
        switch arity {
        case .flag: written = name
        case .value(let placeholder): written = "\(name) \(placeholder)"
        case .optionalValue(let placeholder, _):
            written = placement == .leading ? "\(name)[=\(placeholder)]" : "\(name) [\(placeholder)]"
        }
        return "[\(written)]" + (repeatable ? "..." : "")
    }

    /// The option as `help COMMAND` lists it: `--yes, -y`, `--mode MODE`.
    var helpName: String {
        let names = name + (short.map { ", " + $0 } ?? "")
        switch arity {
        case .flag: return names
        case .value(let placeholder): return "\(names) \(placeholder)"
        case .optionalValue(let placeholder, _):
            return placement == .leading ? "\(names)[=\(placeholder)]" : "\(names) [\(placeholder)]"
        }
    }

    /// `--python PATH`, which every `add` form takes.
    public static let python = value(
        "--python", "PATH", example: "/usr/bin/python3", "the interpreter to run the agent with (default: found)")

    /// `--gateway GW`, which `add` and `add local` take: leaves reached through members' agents.
    public static let gateway = value(
        "--gateway", "GW", example: "gw[1-4]", "reach them through these members' agents (a node set; tree mode)")

    /// `--forward-agent`, with `--gateway`: the gateways' ssh to these hosts may use the user's agent.
    public static let forwardAgent = flag(
        "--forward-agent", "with --gateway: the gateways' ssh to them uses your ssh agent (forwarded)")

    /// The rollout options any operation can declare (`options: OptionSpec.rollout + [...]`): waves, a failure
    /// limit and a canary, before the operation's own arguments. `Rollout(_:)` reads them.
    public static let rollout: [OptionSpec] = [
        OptionSpec(
            "--batch", arity: .value("N|N%"), placement: .leading, example: "10%", group: "ROLLOUT",
            "run in waves of N hosts (or N% of the target)"),
        OptionSpec(
            "--max-fail", arity: .value("N|N%"), placement: .leading, example: "1", group: "ROLLOUT",
            "start no further wave once more hosts than this have failed"),
        OptionSpec(
            "--canary", arity: .value("N"), placement: .leading, example: "1", group: "ROLLOUT",
            "run on N hosts first, then ask before the rest"),
        OptionSpec(
            "--yes", arity: .flag, placement: .leading, group: "ROLLOUT", "answer the canary's question in advance"),
    ]
}
