/// One setting as a table entry: its key, the values it takes, its default (the `ShellSettings` initial
/// value), how a value is read and how the current one is described.
///
/// `set`, its completion, its help and `ShellSettings.apply` all read `Setting.all`.
public struct Setting: Sendable {
    /// The key typed after `set`.
    public let key: String
    /// Other spellings of the key (`colour`).
    public let aliases: [String]
    /// What the value looks like in help: `SECONDS|none`, `on|off`.
    public let valueHint: String
    /// The values `set KEY` completes to; empty when the value is free-form (a number or a path).
    public let choices: [String]
    /// One line for help.
    public let summary: String
    /// The current value as `set` shows it.
    public let describe: @Sendable (ShellSettings) -> String
    /// Reads a value into the settings, or explains what is allowed.
    private let read: @Sendable (String, inout ShellSettings) -> String?

    /// `read` returns nil when it applied the value, or the problem.
    init(
        _ key: String, aliases: [String] = [], _ valueHint: String, choices: [String] = [], _ summary: String,
        describe: @escaping @Sendable (ShellSettings) -> String,
        read: @escaping @Sendable (String, inout ShellSettings) -> String?
    ) {
        self.key = key
        self.aliases = aliases
        self.valueHint = valueHint
        self.choices = choices
        self.summary = summary
        self.describe = describe
        self.read = read
    }

    /// Applies `value`, or throws the one-line reason it is not allowed.
    public func apply(_ value: String, _ settings: inout ShellSettings) throws(ShellError) {
        if let problem = read(value, &settings) { throw ShellError(problem) }
    }

    /// The setting a key names, aliases included.
    public static func named(_ key: String) -> Setting? {
        all.first { $0.key == key || $0.aliases.contains(key) }
    }

    public static var keys: [String] { all.map(\.key) }

    /// `on`/`off` for a flag.
    private static func flag(
        _ key: String, _ summary: String, _ path: WritableKeyPath<ShellSettings, Bool> & Sendable
    ) -> Setting {
        Setting(
            key, "on|off", choices: ["on", "off"], summary, describe: { $0[keyPath: path] ? "on" : "off" },
            read: { value, settings in
                switch value {
                case "on": settings[keyPath: path] = true
                case "off": settings[keyPath: path] = false
                default: return "\(key) must be on or off, not '\(value)'"
                }
                return nil
            })
    }

    /// One of a fixed list of words.
    private static func choice<Mode: RawRepresentable & CaseIterable & Sendable>(
        _ key: String, aliases: [String] = [], _ summary: String,
        _ path: WritableKeyPath<ShellSettings, Mode> & Sendable
    ) -> Setting where Mode.RawValue == String {
        let values = Mode.allCases.map(\.rawValue)
        let list = values.dropLast().joined(separator: ", ") + " or " + (values.last ?? "")
        return Setting(
            key, aliases: aliases, values.joined(separator: "|"), choices: values, summary,
            describe: { $0[keyPath: path].rawValue },
            read: { value, settings in
                guard let mode = Mode(rawValue: value) else { return "\(key) must be \(list), not '\(value)'" }
                settings[keyPath: path] = mode
                return nil
            })
    }

    /// Whole numbers in a range.
    private static func count(
        _ key: String, _ hint: String, _ summary: String, _ range: ClosedRange<Int>, unit: String,
        _ path: WritableKeyPath<ShellSettings, Int> & Sendable, problem: String
    ) -> Setting {
        Setting(
            key, hint, summary, describe: { "\($0[keyPath: path])\(unit)" },
            read: { value, settings in
                guard value.utf8.allSatisfy(TextChecks.isDigit), let number = Int(value), range.contains(number) else {
                    return "\(key) must be \(problem), not '\(value)'"
                }
                settings[keyPath: path] = number
                return nil
            })
    }

    /// One word such as a path or an image name.
    private static func word(
        _ key: String, _ hint: String, _ summary: String, example: String,
        describe: @escaping @Sendable (ShellSettings) -> String,
        store: @escaping @Sendable (String, inout ShellSettings) -> Void
    ) -> Setting {
        Setting(
            key, hint, summary, describe: describe,
            read: { value, settings in
                guard !value.isEmpty, !value.hasPrefix("-"), !TextChecks.hasSpaceOrControl(value) else {
                    return "\(key) must be one word such as \(example), not '\(value)'"
                }
                store(value, &settings)
                return nil
            })
    }

    /// Every setting, in the order `set` lists them. A data table: one entry per key.
    public static let all: [Setting] = [
        Setting(
            "timeout", "SECONDS|none", "time limit of each command on each host",
            describe: { settings in settings.timeout.map { "\(trim($0)) s" } ?? "none" },
            read: { value, settings in
                if value == "none" || value == "off" || value == "0" {
                    settings.timeout = nil
                } else if TextChecks.isDecimal(value), let seconds = Double(value), seconds.isFinite, seconds > 0 {
                    settings.timeout = seconds
                } else {
                    return "timeout must be a number of seconds such as 30 or 2.5, or none, not '\(value)'"
                }
                return nil
            }),
        count(
            "fanout", "N", "how many hosts work at the same time (1 to 10000)", 1...10_000, unit: "", \.fanout,
            problem: "a number of hosts from 1 to 10000"),
        choice("output", "auto: a table when every answer is one line, else blocks", \.output),
        choice("gather", "group identical answers, alike ones (but numbers), or none", \.gather),
        count(
            "max-lines", "N", "lines of a block before it is cut (0: no limit)", 0...1_000_000, unit: "", \.maxLines,
            problem: "a number of lines from 0 to 1000000"),
        count(
            "history-results", "N", "results kept for %N references (1 to 100000)", 1...100_000, unit: "",
            \.historyResults, problem: "a number of results from 1 to 100000"),
        count(
            "keep-bytes", "N", "output kept in memory per host; the rest goes to a file", 1024...1 << 30,
            unit: "", \.keepBytes, problem: "a number of bytes from 1024 to 1073741824"),
        count(
            "spill-max", "N", "output kept on disk per host and result; the rest is dropped", 1024...1 << 40,
            unit: "", \.spillMax, problem: "a number of bytes from 1024 to 1099511627776"),
        flag("pager", "page long output on a terminal with $PAGER (less -R -F -X)", \.pager),
        choice("color", "colored output; auto: only on a terminal", \.color),
        word(
            "python", "PATH|auto", "interpreter on hosts added from now on; auto finds one",
            example: "/usr/bin/python3",
            describe: { $0.python ?? "auto" },
            store: { value, settings in settings.python = value == "auto" ? nil : value }
        ),
        word(
            "docker-image", "IMAGE", "image for add docker without --image", example: "python:3-slim",
            describe: { $0.dockerImage }, store: { value, settings in settings.dockerImage = value }),
        word(
            "sudo", "USER|off", "every run and script as USER through sudo (run --sudo)", example: "root",
            describe: { $0.sudo ?? "off" }, store: { value, settings in settings.sudo = value == "off" ? nil : value }),
        choice(
            "sudo-tool", "what run --sudo uses: sudo, or doas and su (no password)",
            \.sudoTool),
        word(
            "save-dir", "DIR|off", "save every result's output in DIR/N (see save)", example: "~/chop-results",
            describe: { $0.saveDir ?? "off" },
            store: { value, settings in settings.saveDir = value == "off" ? nil : value }),
        flag("errexit", "stop a script at the first failure", \.errexit),
        count(
            "connect-timeout", "SECONDS", "time limit for connecting to a host (1 to 600)", 1...600, unit: " s",
            \.connectTimeout, problem: "whole seconds from 1 to 600"),
        Setting(
            "persist", "SECONDS|off", "ssh connections kept for the next run (hosts added later)",
            describe: { $0.persist.map { "\($0) s" } ?? "off" },
            read: { value, settings in
                if value == "off" {
                    settings.persist = nil
                } else if let seconds = Int(value.hasSuffix("s") ? String(value.dropLast()) : value),
                    (1...86_400).contains(seconds)
                {
                    settings.persist = seconds
                } else {
                    return "persist must be whole seconds from 1 to 86400, or off, not '\(value)'"
                }
                return nil
            }),
        flag("inline-first", "first run in ssh's command line: faster, seen by ps", \.inlineFirst),
        size("batch", "hosts per wave of operations (N or N%; off: all)", zero: false, \.batch),
        size("max-fail", "failures after which no wave starts (N, N%, off)", zero: true, \.maxFail),
        flag("dry-run", "show operations' hosts and commands; touch none", \.dryRun),
    ]

    /// `N`, `N%` or `off`, for the rollout defaults.
    private static func size(
        _ key: String, _ summary: String, zero: Bool, _ path: WritableKeyPath<ShellSettings, Rollout.Size?> & Sendable
    ) -> Setting {
        Setting(
            key, "N|N%|off", summary, describe: { $0[keyPath: path]?.description ?? "off" },
            read: { value, settings in
                if value == "off" {
                    settings[keyPath: path] = nil
                } else if let size = Rollout.Size.parse(value, zero: zero) {
                    settings[keyPath: path] = size
                } else {
                    return "\(key) must be a number of hosts, a percentage such as 10%, or off, not '\(value)'"
                }
                return nil
            })
    }

    static func trim(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
