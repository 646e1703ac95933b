import Foundation
import XCTest

@testable import Chopsticks

final class BootstrapTests: XCTestCase {
    func testStubIsTheDocumentedOne() throws {
        let protocolText = try String(
            contentsOfFile: "\(PythonVersionTests.repository)/Sources/Chopsticks/Agent/PROTOCOL.txt", encoding: .utf8)
        let indented = Bootstrap.stub.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        XCTAssertTrue(protocolText.contains(indented), "PROTOCOL.txt must carry Bootstrap.stub verbatim")
    }

    /// The embedded agent is every `agent_*.py` of the Agent folder, joined in file-name order: a part added
    /// to the folder but not to Package.swift and Bootstrap fails here.
    func testEmbeddedAgentIsEveryPartInOrder() throws {
        let folder = "\(PythonVersionTests.repository)/Sources/Chopsticks/Agent"
        let parts = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix("agent_") && $0.hasSuffix(".py") }.sorted()
        XCTAssertEqual(parts.count, 7, "\(parts)")
        let joined = try parts.map { try Array(Data(contentsOf: URL(fileURLWithPath: "\(folder)/\($0)"))) }
            .joined(separator: Array("\n\n".utf8))
        XCTAssertEqual(Bootstrap.agentSource, Array(joined))
        for part in parts {
            let lines = try String(contentsOfFile: "\(folder)/\(part)", encoding: .utf8).split(separator: "\n").count
            XCTAssertLessThanOrEqual(lines, 400, part)
        }
    }

    func testScriptStaysFarBelowTheArgumentLimit() {
        XCTAssertLessThan(Bootstrap.script(python: nil).utf8.count, 4096)
        XCTAssertFalse(Bootstrap.stub.contains("'"))
        XCTAssertFalse(Bootstrap.stub.contains("\\"))
    }

    func testShellQuoting() {
        XCTAssertEqual(shellQuote("plain-word_1.txt"), "plain-word_1.txt")
        XCTAssertEqual(shellQuote(""), "''")
        XCTAssertEqual(shellQuote("a b"), "'a b'")
        XCTAssertEqual(shellQuote("it's; rm -rf /"), "'it'\\''s; rm -rf /'")
        XCTAssertEqual(shellQuote("$(reboot)"), "'$(reboot)'")
    }

    func testSSHCommandLineIsSafe() throws {
        let ssh = try SSH(parsing: "admin@web1:2222")
        let argv = ssh.command(script: "echo hi")
        XCTAssertEqual(argv.first, "ssh")
        XCTAssertTrue(argv.contains("BatchMode=yes"))
        XCTAssertTrue(argv.contains("ConnectTimeout=10"))
        XCTAssertEqual(Array(argv.suffix(3)), ["--", "web1", "sh -c 'echo hi'"])
        XCTAssertEqual(argv[argv.firstIndex(of: "-p")! + 1], "2222")
        XCTAssertEqual(argv[argv.firstIndex(of: "-l")! + 1], "admin")
        XCTAssertThrowsError(try SSH(parsing: "web1:notaport"))
        XCTAssertThrowsError(try SSH(parsing: "-oProxyCommand=x"))
    }
}
