import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// `password` and `--password-fd` with a real sudo that asks (user chopsudo through the loopback sshd), and
/// the password nowhere but in chop's memory.
final class PasswordTests: XCTestCase {
    func testPasswordReconnectsAndLeavesNoTrace() async throws {
        let fleet = try requireSudoPasswordUser()
        let folder = NSTemporaryDirectory() + "chop-password-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let recording = RecordingIO(password: SSHFleet.sudoPassword)
        let session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        await expect(session, "record \(folder)/session.chop", .ok)
        await expect(session, "add sudopw --sudo", .ok)
        _ = await waitUntil(timeout: 20) { await session.members().first?.state == "needs password" }
        let state = await session.members().first?.state
        XCTAssertEqual(state, "needs password")
        let prompt = await session.prompt()
        XCTAssertTrue(prompt.contains("(1 needs password)"), prompt)
        await expect(session, "@needs-password ping", .hostsFailed)

        await expect(session, "password", .ok)
        XCTAssertEqual(recording.questions, ["sudo password: "])
        await expect(session, "set output json", .ok)
        await expect(session, "call os.geteuid", .ok)
        await expect(session, "call os.getenv SUDO_USER", .ok)
        await expect(session, "log", .ok)
        let seen = (recording.takeOut() + recording.takeErr()).joined(separator: "\n")
        XCTAssertTrue(seen.contains("\"value\":0"), seen)
        XCTAssertTrue(seen.contains(SSHFleet.sudoUser), seen)
        XCTAssertFalse(seen.contains(SSHFleet.sudoPassword), seen)
        XCTAssertEqual(ProcessTree.processesMentioning(SSHFleet.sudoPassword), [])

        await session.close()
        let recorded = try String(contentsOfFile: "\(folder)/session.chop", encoding: .utf8)
        XCTAssertFalse(recorded.contains(SSHFleet.sudoPassword), recorded)
        XCTAssertFalse(recorded.contains("\npassword"), "password lines are not recorded: \(recorded)")
        // Zeroed on quit: the one copy the session held is empty now.
        XCTAssertEqual(recording.handedSecrets.count, 1)
        XCTAssertTrue(recording.handedSecrets.allSatisfy(\.isEmpty))
    }

    func testPasswordWithoutATerminalSaysHowScriptsGiveIt() async throws {
        let recording = RecordingIO()
        let session = Session(io: recording.io)
        await expect(session, "password", .error)
        XCTAssertTrue(recording.takeErr().joined().contains("--password-fd"))
        await session.close()
    }

    /// Batch mode: `--password-fd 3`, from a file the shell opens on descriptor 3.
    func testPasswordFromAFileDescriptorInBatchMode() throws {
        let fleet = try requireSudoPasswordUser()
        try requireChop()
        let folder = NSTemporaryDirectory() + "chop-password-fd-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (SSHFleet.sudoPassword + "\n").write(toFile: "\(folder)/pw", atomically: true, encoding: .utf8)
        let chop = [Tmux.chopBinary, "-q", "--json", "-F", fleet.configFile, "--password-fd", "3", "-c"]
            .map(shellQuote).joined(separator: " ")
        let script = shellQuote("add sudopw --sudo; call os.geteuid")
        let result = try Command.run(["/bin/sh", "-c", "\(chop) \(script) 3<\(folder)/pw 2>&1"])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("\"value\":0"), result.output)
        XCTAssertFalse(result.output.contains(SSHFleet.sudoPassword))

        // Without it, the same script reports the state and exits 1 (a host failed).
        let without = try Command.run([
            "/bin/sh", "-c", "\(Tmux.chopBinary) -q -F \(fleet.configFile) -c \(script) 2>&1",
        ])
        XCTAssertEqual(without.status, 1, without.output)
        XCTAssertTrue(without.output.contains("needs password"), without.output)
    }

    /// `add sudo USER` on this machine asks the same way: chop runs as chopsudo, whose sudo to root wants the
    /// password; without it the member reads 'needs password', with --password-fd it is root.
    func testLocalSudoMemberNeedsAndTakesThePassword() throws {
        _ = try requireSudoPasswordUser()
        try requireChop()
        let folder = try temporaryFolder(self)
        try (SSHFleet.sudoPassword + "\n").write(toFile: "\(folder)/pw", atomically: true, encoding: .utf8)
        chmod(folder, 0o755)
        chmod("\(folder)/pw", 0o644)
        let script = shellQuote("add sudo root; call os.geteuid")
        func asSudoUser(_ options: String) throws -> (status: Int32, output: String) {
            try runAsSudoUser("\(shellQuote(Tmux.chopBinary)) -q --json \(options) -c \(script)")
        }
        let without = try asSudoUser("")
        XCTAssertEqual(without.status, 1, without.output)
        XCTAssertTrue(without.output.contains("needs password"), without.output)
        let with = try asSudoUser("--password-fd 3 3<\(folder)/pw")
        XCTAssertEqual(with.status, 0, with.output)
        XCTAssertTrue(with.output.contains("\"value\":0"), with.output)
        XCTAssertFalse(with.output.contains(SSHFleet.sudoPassword))
    }

    /// sudo speaking another language (de_DE, made by `.ci/sudo-user-up`; `Defaults pwfeedback` is on for this
    /// user too): chop still refuses a wrong password at sudo's second prompt and takes the right one, because
    /// it recognises only the prompt text it gave sudo itself (`-p`), never sudo's own words.
    func testATranslatedSudoRefusesAWrongPasswordAndTakesTheRightOne() throws {
        _ = try requireSudoPasswordUser()
        try requireChop()
        let locales = try Command.run(["locale", "-a"]).output
        try require(
            locales.split(separator: "\n").contains("de_DE.utf8")
                ? nil : "no de_DE.UTF-8 locale (.ci/sudo-user-up generates it)")
        let folder = try temporaryFolder(self)
        chmod(folder, 0o755)
        try "wrong-password\n".write(toFile: "\(folder)/wrong", atomically: true, encoding: .utf8)
        try (SSHFleet.sudoPassword + "\n").write(toFile: "\(folder)/pw", atomically: true, encoding: .utf8)
        for file in ["wrong", "pw"] { chmod("\(folder)/\(file)", 0o644) }
        func asSudoUser(_ command: String) throws -> (status: Int32, output: String) {
            try runAsSudoUser("export LANG=de_DE.UTF-8 LC_ALL=de_DE.UTF-8; \(command)")
        }
        // The precondition: sudo itself speaks German here (its own prompt: "[sudo] Passwort für chopsudo:").
        let german = try asSudoUser("printf 'x\\n' | sudo -S -k true")
        XCTAssertTrue(german.output.contains("Passwort für"), "sudo does not speak German: \(german.output)")
        let chop = "\(shellQuote(Tmux.chopBinary)) -q --json --no-init"
        let script = shellQuote("add sudo root; call os.geteuid")
        let wrong = try asSudoUser("\(chop) --password-fd 3 -c \(script) 3<\(folder)/wrong")
        XCTAssertEqual(wrong.status, 1, wrong.output)
        XCTAssertTrue(wrong.output.contains("sudo refused the password"), wrong.output)
        let right = try asSudoUser("\(chop) --password-fd 3 -c \(script) 3<\(folder)/pw")
        XCTAssertEqual(right.status, 0, right.output)
        XCTAssertTrue(right.output.contains("\"value\":0"), right.output)
        XCTAssertFalse(right.output.contains(SSHFleet.sudoPassword))
    }
}
