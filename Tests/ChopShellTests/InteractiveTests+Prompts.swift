import Foundation
import TestSupport
import XCTest

/// The questions chop asks on a terminal: `trust`'s one y/N for a batch, and `password` without echo.
extension InteractiveTests {
    func testTrustAsksOnceOnTheTerminal() throws {
        let fleet = try requireFleet()
        let home = try temporaryFolder(self)
        let knownHosts = "\(home)/.ssh/known_hosts"
        try FileManager.default.createDirectory(atPath: "\(home)/.ssh", withIntermediateDirectories: true)
        let config = """
            Host fresh1 fresh2
                HostName 127.0.0.5
                Port \(fleet.port)
                User root
                IdentityFile \(fleet.directory)/client_key
                IdentitiesOnly yes
                UserKnownHostsFile \(knownHosts)
                GlobalKnownHostsFile /dev/null

            """
        try config.write(toFile: "\(home)/.ssh/config", atomically: true, encoding: .utf8)
        let (tmux, _) = try startChop(home: home, config: "\(home)/.ssh/config")
        try tmux.type("add fresh1")
        // The prompt counts it once it is drawn again.
        var (found, screen) = try promptShows("(1 unknown key)>", in: tmux)
        XCTAssertTrue(found, screen)
        try tmux.type("trust")
        (found, screen) = tmux.wait(for: "to your known_hosts? [y/N]")
        XCTAssertTrue(found, screen)
        XCTAssertTrue(screen.contains("ssh-ed25519 SHA256:"), screen)
        try tmux.type("y")
        (found, screen) = tmux.wait(for: "1 host: 1 ok")
        XCTAssertTrue(found, screen)
        XCTAssertTrue(screen.contains("added 1 key to \(knownHosts)"), screen)
        XCTAssertTrue(try String(contentsOfFile: knownHosts, encoding: .utf8).contains("ssh-ed25519"))
    }

    func testPasswordIsAskedWithoutEcho() throws {
        _ = try requireSudoPasswordUser()
        let home = try temporaryFolder(self)
        let (tmux, _) = try startChop(home: home)
        try tmux.type("add sudopw --sudo")
        var (found, screen) = try promptShows("(1 needs password)>", in: tmux)
        XCTAssertTrue(found, screen)
        try tmux.type("password")
        (found, screen) = tmux.wait(for: "sudo password:")
        XCTAssertTrue(found, screen)
        try tmux.type(SSHFleet.sudoPassword)
        (found, screen) = tmux.wait(for: "1 host: 1 ok")
        XCTAssertTrue(found, screen)
        try tmux.type("call os.geteuid")
        (found, screen) = tmux.wait(for: "1 host: 1 ok", count: 2)
        XCTAssertTrue(found, screen)
        XCTAssertTrue(screen.split(separator: "\n").contains { $0.hasPrefix("sudopw") && $0.hasSuffix(" 0") }, screen)
        XCTAssertFalse(screen.contains(SSHFleet.sudoPassword), "the password was echoed: \(screen)")
        // chop is the pane's process (`exec`): wait until it has exited, so it has written all it keeps.
        let chop = try XCTUnwrap(tmux.panePID())
        try tmux.send("C-d")
        XCTAssertTrue(eventually(timeout: 15) { !ProcessTree.isAlive(chop) }, "chop did not exit on Ctrl-D")
        // Nothing chop kept on disk (history, state) holds it either; the history was written (it has the lines:
        // libedit writes a space as \040, so one word of them is looked for).
        let history = try Command.run(["grep", "-rl", "os.geteuid", home])
        XCTAssertFalse(history.output.isEmpty, "no history file under \(home): the check below would prove nothing")
        let saved = try Command.run(["grep", "-rl", SSHFleet.sudoPassword, home])
        XCTAssertEqual(saved.output, "", "the password reached a file")
    }

    /// Presses Enter every half second (at most 30 times) until the redrawn prompt shows `text`.
    private func promptShows(_ text: String, in tmux: Tmux) throws -> (Bool, String) {
        for _ in 0..<30 {
            try tmux.type("")
            let (found, screen) = tmux.wait(for: text, timeout: 0.5)
            if found { return (found, screen) }
        }
        return (false, tmux.screen())
    }
}
