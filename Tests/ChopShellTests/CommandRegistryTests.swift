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
}
