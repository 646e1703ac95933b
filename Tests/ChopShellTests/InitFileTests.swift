import Chopsticks
import Foundation
import TestSupport
import XCTest

/// The user's own defaults (`$XDG_CONFIG_HOME/chop/init.chop`), `--version`, and the Local member chop starts
/// with when it is given no hosts: run as the installed binary would be, in batch mode.
final class InitFileTests: XCTestCase {
    /// A config folder whose `chop/init.chop` holds `lines`.
    private func configFolder(_ lines: String) throws -> String {
        let folder = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(folder)/chop", withIntermediateDirectories: true)
        try lines.write(toFile: "\(folder)/chop/init.chop", atomically: true, encoding: .utf8)
        return folder
    }

    func testDefaultsAreReadFirstABadLineIsNamedAndSkippedAndNoInitSkipsTheFile() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let config = try configFolder("set fanout 128\nbogus line here\nshow nosuch\nset timeout 7\n")
        let file = "\(config)/chop/init.chop"
        let read = try runChop(
            ["-q", "-c", "set fanout; set timeout"], environment: ["XDG_CONFIG_HOME": config], folder: folder)
        XCTAssertEqual(read.status, 0, "a bad defaults line does not fail the run: \(read.err)")
        XCTAssertEqual(read.out, "fanout 128\ntimeout 7 s\n", "the lines after the bad one still apply")
        // A line that does not parse is named with its error; one that fails when run is named as skipped.
        XCTAssertTrue(read.err.contains("\(file):2: unknown command 'bogus'"), read.err)
        XCTAssertTrue(read.err.contains("\(file):3: skipped; the rest of the file still runs"), read.err)
        XCTAssertEqual(read.err.components(separatedBy: "\n").filter { $0.contains(file) }.count, 2, read.err)

        let skipped = try runChop(
            ["--no-init", "-q", "-c", "set fanout"], environment: ["XDG_CONFIG_HOME": config], folder: folder)
        XCTAssertEqual(skipped.status, 0, skipped.err)
        XCTAssertEqual(skipped.out, "fanout 64\n")
        XCTAssertEqual(skipped.err, "", "--no-init reads nothing, so nothing is reported")

        // The default place is under ~/.config when XDG_CONFIG_HOME is unset.
        let home = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(home)/.config", withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: "\(config)/chop", toPath: "\(home)/.config/chop")
        let byHome = try runChop(
            ["-q", "-c", "set fanout"], environment: ["HOME": home, "XDG_CONFIG_HOME": ""], folder: folder)
        XCTAssertEqual(byHome.out, "fanout 128\n", byHome.err)

        // A usage error in the batch script itself still exits 2, defaults file or not.
        let usage = try runChop(["-q", "-c", "set fanout zero"], environment: ["HOME": home], folder: folder)
        XCTAssertEqual(usage.status, 2, usage.err)
    }

    func testVersionNamesTheCommitAndTheAgentProtocol() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let version = try runChop(["--version"], folder: folder)
        XCTAssertEqual(version.status, 0)
        let commit = try Command.run(["git", "-C", Self.repository, "rev-parse", "--short=12", "HEAD"]).output
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(
            version.out.hasPrefix("chop 0.1.0 (commit \(commit)"), "\(version.out) should name commit \(commit)")
        XCTAssertTrue(version.out.hasSuffix("), agent protocol \(WireProtocol.version)\n"), version.out)
    }

    /// `chop -c "run uname -s"` works with no hosts (the Local member); hosts asked for and not found (an empty
    /// hosts file) never fall back to this machine.
    func testNoHostsMeansTheLocalMemberButAnEmptyHostsFileDoesNot() throws {
        try requireChop()
        let folder = try temporaryFolder(self)
        let local = try runChop(["--json", "-q", "-c", "run uname -s"], folder: folder)
        XCTAssertEqual(local.status, 0, local.err)
        XCTAssertTrue(local.out.contains(#""host":"local""#) && local.out.contains(#"Linux\n"#), local.out)
        try "# nobody yet\n".write(toFile: "\(folder)/hosts", atomically: true, encoding: .utf8)
        let none = try runChop(["--hosts-file", "\(folder)/hosts", "-q", "-c", "run uname -s"], folder: folder)
        XCTAssertEqual(none.status, 2, none.out)
        XCTAssertTrue(none.err.contains("no hosts yet"), none.err)
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
}
