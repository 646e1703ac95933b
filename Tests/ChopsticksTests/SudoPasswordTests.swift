import Chopsticks
import Foundation
import TestSupport
import XCTest

/// sudo that asks for a password, for real: user chopsudo logs in through the loopback sshd and its sudo
/// rule wants the password every time (`.ci/sudo-user-up`).
final class SudoPasswordTests: XCTestCase {
    private func sudoTunnel(_ fleet: SSHFleet) throws -> Tunnel {
        Tunnel(try SSH("sudopw", sudo: true, configFile: fleet.configFile, connectTimeout: 10), connectTimeout: 15)
    }

    func testNeedsPasswordThenWrongThenRightPassword() async throws {
        let fleet = try requireSudoPasswordUser()
        let tunnel = try sudoTunnel(fleet)
        do {
            try await tunnel.connect()
            XCTFail("sudo -n must not get through without a password")
        } catch let error as ErrorResult {
            XCTAssertEqual(error.kind, .needsPassword, error.msg)
        }
        XCTAssertEqual(stateCase(tunnel.state), "needsPassword")

        // A wrong password: refused at sudo's second prompt, without waiting out sudo's three tries.
        let wrong = Secret(Array("not-the-password".utf8))
        await tunnel.setPassword(wrong)
        let start = ContinuousClock.now
        do {
            try await tunnel.connect()
            XCTFail("a wrong password must not get through")
        } catch let error as ErrorResult {
            XCTAssertEqual(error.kind, .needsPassword, error.msg)
            XCTAssertTrue(error.msg.contains("refused"), error.msg)
        }
        XCTAssertLessThan(start.duration(to: .now), .seconds(8))
        XCTAssertEqual(stateCase(tunnel.state), "needsPassword")

        let right = Secret(Array(SSHFleet.sudoPassword.utf8))
        await tunnel.setPassword(right)
        try await tunnel.connect()
        let euid = try await tunnel.call("os.geteuid")
        XCTAssertEqual(euid, .int(0))
        let sudoUser = try await tunnel.call("os.getenv", [.string("SUDO_USER")])
        XCTAssertEqual(sudoUser, .string(SSHFleet.sudoUser))

        // Nowhere to be seen: not in any process's argv or environment, not in the tunnel's log.
        XCTAssertEqual(ProcessTree.processesMentioning(SSHFleet.sudoPassword), [])
        XCTAssertFalse(tunnel.stderr.lines.joined(separator: "\n").contains(SSHFleet.sudoPassword))
        XCTAssertFalse(tunnel.stderr.lines.contains { $0.hasPrefix("chop-sudo-") }, "\(tunnel.stderr.lines)")
        XCTAssertEqual("\(right)", "<password>")
        await tunnel.close()
        right.wipe()
        XCTAssertTrue(right.isEmpty)
        await assertNoStrayChildren()
    }

    /// With a password given but a sudo that does not ask (root's own), the password is never written: the
    /// agent would have read it as its first bytes and failed.
    func testAPasswordIsNotSentWhenSudoDoesNotAsk() async throws {
        let fleet = try requireFleet()
        let tunnel = Tunnel(try SSH("web1", sudo: true, configFile: fleet.configFile), connectTimeout: 15)
        await tunnel.setPassword(Secret(Array("unused-password".utf8)))
        try await tunnel.connect()
        let euid = try await tunnel.call("os.geteuid")
        XCTAssertEqual(euid, .int(0))
        await tunnel.close()
        await assertNoStrayChildren()
    }
}
