import TestSupport
import XCTest

@testable import Chopsticks

/// `SSHConfigFiles`: whether the ssh config files a connect reads may set a control option, so that chop asks
/// `ssh -G` only when one might (a process per member saved on every run otherwise).
final class SSHConfigFilesTests: XCTestCase {
    private func write(_ text: String, _ path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    func testAFileWithoutControlSettingsNeedsNoQuestion() throws {
        let folder = try temporaryFolder(self)
        try write(
            "Host web*\n    User deploy\n    Port 2222\n# ControlMaster auto, once\nHost *\n    ControlMaster=no\n"
                + "    ControlPath none\n    ControlPersist 30\n", "\(folder)/config")
        XCTAssertFalse(SSHConfigFiles.maySetSharing(configFile: "\(folder)/config"))
    }

    func testAControlSettingInAnyCaseIsAMention() throws {
        let folder = try temporaryFolder(self)
        try write("Host *\n    controlPATH /tmp/x-%C\n", "\(folder)/config")
        XCTAssertTrue(SSHConfigFiles.maySetSharing(configFile: "\(folder)/config"))
    }

    func testIncludesAreFollowedThroughTheirGlobs() throws {
        let folder = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(folder)/conf.d", withIntermediateDirectories: true)
        try write("Include \(folder)/conf.d/*.conf\nHost a\n    User b\n", "\(folder)/config")
        try write("Host a\n    Port 22\n", "\(folder)/conf.d/10-plain.conf")
        XCTAssertFalse(SSHConfigFiles.maySetSharing(configFile: "\(folder)/config"))
        try write("Include=\(folder)/deeper.conf\n", "\(folder)/conf.d/20-nested.conf")
        try write("Match host a\n    ControlMaster auto\n", "\(folder)/deeper.conf")
        XCTAssertTrue(SSHConfigFiles.maySetSharing(configFile: "\(folder)/config"))
    }

    func testWhatCannotBeFollowedCountsAsAMention() throws {
        let folder = try temporaryFolder(self)
        XCTAssertTrue(SSHConfigFiles.maySetSharing(configFile: "\(folder)/missing"), "ssh's own error")
        try write("Include %d/.ssh/extra\n", "\(folder)/tokens")
        XCTAssertTrue(SSHConfigFiles.maySetSharing(configFile: "\(folder)/tokens"))
        try write("Include \(folder)/loop\n", "\(folder)/loop")
        XCTAssertTrue(SSHConfigFiles.maySetSharing(configFile: "\(folder)/loop"), "an include loop")
    }

    /// The newest change among the files a connect reads, an included one counted; nil when one cannot be followed.
    func testTheNewestChangeCountsIncludedFiles() throws {
        let folder = try temporaryFolder(self)
        try write("Include \(folder)/extra.conf\n", "\(folder)/config")
        try write("Host a\n    Port 22\n", "\(folder)/extra.conf")
        let older = Date(timeIntervalSince1970: 1_000_000_000)
        let newer = Date(timeIntervalSince1970: 1_500_000_000)
        try FileManager.default.setAttributes([.modificationDate: older], ofItemAtPath: "\(folder)/config")
        try FileManager.default.setAttributes([.modificationDate: newer], ofItemAtPath: "\(folder)/extra.conf")
        XCTAssertEqual(SSHConfigFiles.newestChange(configFile: "\(folder)/config"), 1_500_000_000 * 1_000_000_000)
        try write("Include %d/.ssh/extra\n", "\(folder)/tokens")
        XCTAssertNil(SSHConfigFiles.newestChange(configFile: "\(folder)/tokens"))
    }
}
