import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Issue 24's session context: what a command reads on stdin (`run --input`), on Local members and the loopback
/// sshd fleet.
final class SessionContextTests: SessionTestCase {
    /// The outputs of the last result, host by host.
    private func outputs() async -> [String] {
        await session.lastReport?.outcomes.map(\.output) ?? []
    }

    func testRunInputParsing() throws {
        func parsed(_ text: String) throws -> RunCommand? {
            try XCTUnwrap(try CommandParser.parse(text)).command as? RunCommand
        }
        XCTAssertEqual(try parsed("run cat"), RunCommand(text: "cat"))
        XCTAssertEqual(
            try parsed("run --input y apt-get install x"), RunCommand(text: "apt-get install x", input: .text("y\n")))
        XCTAssertEqual(
            try parsed("run --input 'two words' read a b; echo \"$b\""),
            RunCommand(text: "read a b; echo \"$b\"", input: .text("two words\n")))
        XCTAssertEqual(try parsed("run --input=yes cat"), RunCommand(text: "cat", input: .text("yes\n")))
        XCTAssertEqual(try parsed("run --input-file ~/a cat -n"), RunCommand(text: "cat -n", input: .file("~/a")))
        XCTAssertEqual(try parsed("run --batch 1 --input y cat"), RunCommand(text: "cat", input: .text("y\n")))
        XCTAssertEqual(try parsed("run echo --input y"), RunCommand(text: "echo --input y"))
        for (line, message) in [
            ("run --input y", RunCommand.missingText),
            ("run --input 'y", "unterminated single quote: add the closing '"),
            (
                "run --input a --input-file b cat",
                "give --input or --input-file once — usage: "
                    + RunCommand.declaration.usage
            ),
        ] {
            XCTAssertThrowsError(try CommandParser.parse(line), line) { error in
                XCTAssertEqual((error as? ParseError)?.message, message, line)
            }
        }
    }

    func testRunInputOnLocalMembers() async throws {
        let folder = try temporaryFolder(self)
        await run("add local a")
        await run("add local b")
        var step = await run("run cat; echo \"[$?]\"")
        XCTAssertEqual(step.result, .ok, "\(step)")
        var seen = await outputs()
        XCTAssertEqual(seen, ["[0]\n", "[0]\n"], "without --input stdin is closed: cat reads end-of-file at once")

        step = await run("run --input 'y es' read answer; echo \"got $answer\"")
        XCTAssertEqual(step.result, .ok, "\(step)")
        seen = await outputs()
        XCTAssertEqual(seen, ["got y es\n", "got y es\n"])

        let bytes = Data([0, 1, 2, 0xFF, 10, 65])
        try bytes.write(to: URL(fileURLWithPath: "\(folder)/answers"))
        step = await run("@b run --input-file \(folder)/answers od -An -tx1 | tr -s ' '")
        XCTAssertEqual(step.result, .ok, "\(step)")
        seen = await outputs()
        XCTAssertEqual(seen, [" 00 01 02 ff 0a 41\n"], "the file's bytes exactly, no newline added")

        step = await run("run --input-file \(folder)/missing cat")
        XCTAssertEqual(step.result, .error)
        XCTAssertEqual(step.err, ["chop: --input-file: no such file: \(folder)/missing"])
    }

    func testRunInputOnTheLoopbackFleet() async throws {
        let fleet = try requireFleet()
        session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        await run("add web1 web2")
        var step = await run("run head -c 100; echo \"<$?>\"")
        XCTAssertEqual(step.result, .ok, "\(step)")
        var seen = await outputs()
        XCTAssertEqual(seen, ["<0>\n", "<0>\n"])
        step = await run("run --input {host} cat")
        XCTAssertEqual(step.result, .ok, "\(step)")
        seen = await outputs()
        XCTAssertEqual(seen, ["{host}\n", "{host}\n"], "TEXT is the same for every host, sent as typed")
    }
}
