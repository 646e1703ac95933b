import XCTest

@testable import ChopShell

/// Walks `CommandRegistry`: every command and subcommand has help, completes by name, and parses its own
/// examples into a value of its own type. A command added to the registry is checked here without more work.
final class CommandRegistryTests: XCTestCase {
    func testEveryCommandHasHelpCompletionAndParsesItsExamples() throws {
        for type in CommandRegistry.allDeclared {
            let declaration = type.declaration
            let name = declaration.name
            // Help: the command's own page, with its usage line, and a line in the summary.
            let topic = name.split(separator: " ").first.map(String.init) ?? name
            let help = try XCTUnwrap(CommandHelp.help(for: topic), name)
            XCTAssertTrue(help.contains(declaration.usage), "\(name): help lacks its usage")
            XCTAssertTrue(CommandHelp.summary().contains(declaration.usage), "\(name): not in the summary")
            XCTAssertFalse(declaration.summary.isEmpty, name)
            XCTAssertEqual(CommandHelp.usage(name), declaration.usage)

            // Completion: the command's name completes from its first letters.
            if name != "!", !name.contains(" ") {
                let completed = CompletionEngine().complete(String(name.prefix(2))).candidates
                XCTAssertTrue(completed.contains(name), "\(name) does not complete: \(completed)")
            }

            // One parse at least: every example parses into this very type; a command without examples
            // parses as its bare name (or says what it needs).
            let lines = declaration.examples.isEmpty ? [name == "!" ? "!true" : name] : declaration.examples
            for line in lines {
                let parsed = try XCTUnwrap(try CommandParser.parse(line), line)
                XCTAssertTrue(
                    Swift.type(of: parsed.command) == type
                        || declaration.subcommands.contains { $0 == Swift.type(of: parsed.command) },
                    "'\(line)' parsed as \(Swift.type(of: parsed.command)), not \(type)")
            }
        }
    }

    func testNamesAreUniqueAndTheRegistryDrivesTheParser() {
        let names = CommandRegistry.commandNames
        XCTAssertEqual(Set(names).count, names.count, "a name is declared twice")
        for name in names {
            XCTAssertNotNil(CommandRegistry.command(named: name), name)
        }
        // An unknown word is refused with a suggestion drawn from the registry.
        XCTAssertThrowsError(try CommandParser.parse("fcats")) { error in
            XCTAssertEqual((error as? ParseError)?.message, "unknown command 'fcats' — did you mean 'facts'?")
        }
    }

    /// Every option of every command, from its declaration: documented in `help`, shown in the usage line (but
    /// for the rollout group), offered by Tab after a `-`, and parsed in both spellings (`--x v`, `--x=v`, and
    /// the short alias) with an effect on the parsed line; a value option without its value is one error line.
    /// An option added to a declaration is checked here without more work.
    func testEveryOptionOfEveryCommandParsesShowsInUsageAndCompletes() throws {
        for type in CommandRegistry.allDeclared {
            let declaration = type.declaration
            let name = declaration.name
            let names = declaration.options.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "\(name): an option is declared twice")
            let topic = name.split(separator: " ").first.map(String.init) ?? name
            let help = try XCTUnwrap(CommandHelp.help(for: topic), name)
            for option in declaration.options {
                let label = "\(name) \(option.name)"
                XCTAssertTrue(option.name.hasPrefix("--") && option.name.count > 3, label)
                if let short = option.short { XCTAssertNotNil(short.wholeMatch(of: /-[a-zA-Z]/), label) }
                XCTAssertFalse(option.summary.isEmpty, label)
                XCTAssertTrue(help.contains(option.helpName + " "), "\(label): not in help")
                XCTAssertEqual(declaration.usage.contains(option.usage), option.group == nil, "\(label): usage")
                if name != "!" {
                    let dash = CompletionEngine().complete(name + " -").candidates
                    XCTAssertTrue(dash.contains(option.name), "\(label): Tab offers \(dash)")
                    if let short = option.short { XCTAssertTrue(dash.contains(short), label) }
                }

                // A line with the option: an example that shows it, else the first example (or the bare name)
                // with it added where it may stand.
                let base = declaration.examples.first ?? name
                let lines = Self.lines(with: option, of: declaration, base: base)
                let without = try CommandParser.parse(base)
                for line in lines {
                    let parsed = try XCTUnwrap(try CommandParser.parse(line), line)
                    let withOption = "\(parsed.command) \(String(describing: parsed.rollout))"
                    let plain = without.map { "\($0.command) \(String(describing: $0.rollout))" }
                    if lines.count > 1 || line != base {
                        XCTAssertNotEqual(withOption, plain, "'\(line)': \(option.name) changed nothing")
                    }
                }
                if case .value = option.arity, option.placement == .anywhere {
                    XCTAssertThrowsError(try CommandParser.parse(base + " " + option.name), label) { error in
                        XCTAssertTrue(
                            "\(error)".hasPrefix("\(option.name) needs a value, e.g. \(option.name) "), "\(error)")
                    }
                }
            }
        }
    }

    /// Tab counts argument positions without the options and their values: `put --mode 0640 a.conf ⇥` is
    /// REMOTE, and after a value option Tab offers that option's values.
    func testCompletionSkipsOptionsWhenCountingArguments() {
        let specs = PutCommand.declaration.options
        XCTAssertEqual(CompletionEngine.withoutOptions(["--mode", "0640", "a.conf"], specs), ["a.conf"])
        XCTAssertEqual(CompletionEngine.withoutOptions(["--mode=0640", "a.conf", "b"], specs), ["a.conf", "b"])
        XCTAssertEqual(CompletionEngine.withoutOptions(["a.conf"], specs), ["a.conf"])
        let lister: CompletionEngine.RemotePaths = { _, _ in ["/etc/app.conf"] }
        let engine = CompletionEngine(remotePaths: lister)
        XCTAssertEqual(engine.complete("put --mode 0640 a.conf /etc/a").candidates, ["/etc/app.conf"])
        XCTAssertEqual(engine.complete("put a.conf --mode 0640 /etc/a").candidates, ["/etc/app.conf"])
        XCTAssertTrue(CompletionEngine().complete("trust --fingerprint ").candidates.isEmpty)
        XCTAssertEqual(
            CompletionEngine().complete("trust -").candidates, ["--fingerprint", "--replace", "--yes", "-y"])
    }

    /// Lines that give `option`: an example that shows it, else `base` with it added where it may stand, in
    /// each spelling (`--x v`, `--x=v`, the short alias).
    private static func lines(with option: OptionSpec, of declaration: CommandDeclaration, base: String) -> [String] {
        if let shown = declaration.examples.first(where: { $0.split(separator: " ").contains { $0 == option.name } }) {
            return [shown]
        }
        var value: String?
        if case .value(let placeholder) = option.arity { value = option.example ?? placeholder }
        var spellings = [option.name + (value.map { " " + $0 } ?? "")]
        if let value { spellings.append("\(option.name)=\(value)") }
        if let short = option.short { spellings.append(short + (value.map { " " + $0 } ?? "")) }
        guard option.placement == .leading else { return spellings.map { base + " " + $0 } }
        let rest = String(base.dropFirst(declaration.name.count))
        return spellings.map { declaration.name + " " + $0 + rest }
    }

    /// `CommandRegistry.commands` is generated from the command files (CommandRegistryPlugin): every command type
    /// in `Sources/ChopShell/Commands` is listed, at the top level (its declaration has a `helpOrder`, and it is in
    /// its own file named after it) or as a subcommand of one, and `help` lists them in the order they always had.
    func testTheGeneratedRegistryIsEveryCommandInTheFolderInHelpOrder() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/ChopShell/Commands").standardizedFileURL
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") }
        var found: Set<String> = []
        for file in files {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("public struct ") {
                let name = String(line.dropFirst("public struct ".count).prefix { $0.isLetter || $0.isNumber })
                if name.hasSuffix("Command") { found.insert(name) }
            }
        }
        XCTAssertGreaterThan(found.count, 40, "the command files were not read from \(folder.path)")
        XCTAssertEqual(Set(CommandRegistry.allDeclared.map { String(describing: $0) }), found)

        let top = CommandRegistry.commands
        for type in top {
            XCTAssertTrue(files.contains("\(type).swift"), "\(type) is not in a file named after it")
        }
        let orders = top.compactMap { $0.declaration.helpOrder }
        XCTAssertEqual(orders.count, top.count, "a listed command without helpOrder")
        XCTAssertEqual(orders, orders.sorted(), "not in helpOrder")
        XCTAssertEqual(Set(orders).count, orders.count, "one helpOrder twice")
        for type in CommandRegistry.allDeclared where !top.contains(where: { $0 == type }) {
            XCTAssertNil(type.declaration.helpOrder, "\(type) is a subcommand: its parent lists it, not helpOrder")
        }

        XCTAssertEqual(
            top.map { $0.declaration.name },
            [
                "add", "inventory", "remove", "hosts", "connect", "disconnect", "reconnect", "trust", "password", "run",
                "call", "py", "import", "where", "script", "cd", "pwd", "facts", "put", "fetch", "sync", "ping", "use",
                "name", "names", "last", "results", "watch", "failures", "log", "show", "diff", "save", "set", "env",
                "!", "source", "record", "expect", "help", "quit",
            ])
    }
}
