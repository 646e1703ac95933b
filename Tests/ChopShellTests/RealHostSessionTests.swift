import Foundation
import TestSupport
import XCTest

/// What a person sees of real hosts' quirks (issue "Real hosts"), through the chop binary on the login shell
/// accounts' sshd (`LoginShells`).
final class RealHostSessionTests: XCTestCase {
    /// `hosts` says once which hosts print text on login; `log` shows that text with its escapes made harmless.
    func testHostsSaysOnceThatAHostPrintsOnLoginAndTheLogIsSafe() throws {
        try requireChop()
        let shells = try requireLoginShells()
        let folder = try temporaryFolder(self)
        let result = try runChop(
            [
                "-q", "-F", shells.configFile, "-c",
                "add rc-escape rc-banner login-bash; run echo ok; hosts; log rc-escape",
            ],
            folder: folder)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertEqual(result.out.components(separatedBy: "print text on login").count, 2, result.out)
        XCTAssertTrue(result.out.contains("rc-banner"), result.out)
        XCTAssertFalse(result.out.contains("\u{1B}"), result.out)
        XCTAssertFalse(result.out.contains("\u{07}"), result.out)
        XCTAssertTrue(result.out.contains("rc-escape: (printed on login) "), result.out)
        XCTAssertTrue(result.out.contains("red"), result.out)
    }

    /// Output in a Latin-1 locale: shown with a replacement character, never raw bytes, and exact in JSON.
    func testLatin1OutputIsShownSafelyAndKeptExactInJSON() throws {
        try requireChop()
        let shells = try requireLoginShells()
        let folder = try temporaryFolder(self)
        let command = "add login-bash; run printf 'caf\\351 na\\357ve\\n'; show login-bash"
        let text = try runChop(["-q", "-F", shells.configFile, "-c", command], folder: folder)
        XCTAssertEqual(text.status, 0, text.err)
        XCTAssertTrue(text.out.contains("caf\u{FFFD} na\u{FFFD}ve"), text.out)
        let json = try runChop(["-q", "--json", "-F", shells.configFile, "-c", command], folder: folder)
        XCTAssertEqual(json.status, 0, json.err)
        let exact = Data([0x63, 0x61, 0x66, 0xE9, 0x20, 0x6E, 0x61, 0xEF, 0x76, 0x65, 0x0A]).base64EncodedString()
        let lines = json.out.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains(#""stdout_base64":"\#(exact)""#) }.count, 2, json.out)
    }

    /// `add local a --python '$(…)'` and an inventory's `ansible_python_interpreter` with shell syntax are refused
    /// with one line, and nothing runs.
    func testAnInjectedInterpreterPathIsRefusedFromTheCommandLineAndAnInventory() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let ran = "\(folder)/ran"
        try "[web]\nweb1 ansible_python_interpreter='$(id>\(ran))'\n".write(
            toFile: "\(folder)/hosts.ini", atomically: true, encoding: .utf8)
        let direct = try runChop(["-q", "-c", "add local a --python '$(id>\(ran))'"], folder: folder)
        XCTAssertNotEqual(direct.status, 0)
        XCTAssertTrue(direct.err.contains("is not a plain path"), direct.err)
        let inventory = try runChop(["-q", "-c", "inventory \(folder)/hosts.ini; add @web; run true"], folder: folder)
        XCTAssertNotEqual(inventory.status, 0)
        XCTAssertTrue(inventory.err.contains("is not a plain path"), inventory.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ran))
    }
}
