import Foundation
import TestSupport
import XCTest

/// The real chop binary in a real terminal (tmux), against the loopback sshd fleet.
final class InteractiveTests: XCTestCase {
    var tmux: Tmux?

    override func tearDown() {
        tmux?.kill()
    }

    /// Starts chop in tmux with the fleet's ssh config and a HOME whose ~/.ssh/config includes it; or with
    /// `config`, an ssh config of the test's own (ssh reads ~ from the passwd entry, not $HOME, so it is named).
    func startChop(_ arguments: String = "", home existing: String? = nil, config: String? = nil) throws -> (
        Tmux, SSHFleet
    ) {
        try requireTerminal()
        let fleet = try requireFleet()
        let home = try existing ?? temporaryFolder(self)
        if config == nil {
            try FileManager.default.createDirectory(atPath: "\(home)/.ssh", withIntermediateDirectories: true)
            try "Include \(fleet.configFile)\n".write(
                toFile: "\(home)/.ssh/config", atomically: true, encoding: .utf8)
        }
        let tmux = try Tmux(
            "exec \(Tmux.chopBinary) -F \(config ?? fleet.configFile) \(arguments)",
            environment: ["HOME": home, "XDG_STATE_HOME": "\(home)/state", "TERM": "xterm-256color"])
        self.tmux = tmux
        // capture-pane drops trailing spaces, so the prompt reads "chop 1 host>".
        XCTAssertTrue(tmux.wait(for: "host>").0, "no prompt: \(tmux.screen())")
        return (tmux, fleet)
    }

    func testRangeAddRunFailuresAndRetry() throws {
        let (tmux, _) = try startChop()
        try tmux.type("add web[1-3]")
        // The implicit local member leaves: a fleet command must not reach this machine by surprise.
        var (found, screen) = tmux.wait(for: "local (this machine) left the group; add local to keep it")
        XCTAssertTrue(found, screen)
        try tmux.type("set gather off")
        try tmux.type("run echo $SSH_CONNECTION | cut -d' ' -f3")
        (found, screen) = tmux.wait(for: "3 hosts: 3 ok")
        XCTAssertTrue(found, screen)
        XCTAssertFalse(screen.split(separator: "\n").contains { $0.hasPrefix("local ") && $0.contains(" ok ") }, screen)
        for (host, address) in [("web1", "127.0.0.2"), ("web2", "127.0.0.3"), ("web3", "127.0.0.4")] {
            XCTAssertTrue(
                screen.split(separator: "\n").contains {
                    $0.hasPrefix(host) && $0.contains(" ok ") && $0.contains(address)
                },
                "no ok row for \(host):\n\(screen)")
        }
        try tmux.type("clear-marker")  // an unknown command: a one-line error, the shell goes on
        (found, screen) = tmux.wait(for: "unknown command 'clear-marker'")
        XCTAssertTrue(found, screen)
        try tmux.type("run test \"$(echo $SSH_CONNECTION | cut -d' ' -f3)\" != 127.0.0.3")
        (found, screen) = tmux.wait(for: "@failed = web2")
        XCTAssertTrue(found, screen)
        XCTAssertTrue(screen.contains("failed (exit 1)"), screen)
        try tmux.type("@failed run echo retried")
        (found, screen) = tmux.wait(for: "1 host: 1 ok")
        XCTAssertTrue(found, screen)
        XCTAssertTrue(screen.split(separator: "\n").contains { $0.hasPrefix("web2") && $0.contains("retried") }, screen)
    }

    func testTabCompletesHostAliasesAndCommands() throws {
        let (tmux, _) = try startChop()
        try tmux.send("add badk", "Tab")
        var (found, screen) = tmux.wait(for: "add badkey")
        XCTAssertTrue(found, screen)
        try tmux.send("C-u")
        // Fact names come from the agent's hello: once a member is up, Tab knows them.
        try tmux.type("ping")
        (found, screen) = tmux.wait(for: "1 host: 1 ok")
        XCTAssertTrue(found, screen)
        try tmux.send("fac", "Tab")
        (found, screen) = tmux.wait(for: "> facts")
        XCTAssertTrue(found, screen)
        try tmux.send("lo", "Tab", "Enter")
        (found, screen) = tmux.wait(for: "1 host: 1 ok", count: 2)
        XCTAssertTrue(found, screen)
        XCTAssertTrue(screen.contains("facts loadavg"), screen)
    }

    func testCtrlCInterruptsQuicklyAndTunnelsStayUsable() throws {
        let (tmux, _) = try startChop()
        try tmux.type("add web1 web2")
        try tmux.type("ping")
        XCTAssertTrue(tmux.wait(for: "2 hosts: 2 ok").0, tmux.screen())
        // Each host's command writes its own PID, then becomes the sleep: the test follows exactly those two.
        let folder = try temporaryFolder(self)
        try tmux.type("run echo $$ > \(folder)/{host}.pid; exec sleep 30")
        func pids() -> [pid_t] {
            ["web1", "web2"].compactMap { host in
                (try? String(contentsOfFile: "\(folder)/\(host).pid", encoding: .utf8)).flatMap {
                    pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines))
                }
            }
        }
        // Interrupt only once both commands run on the hosts (under the loopback sshd, so on this machine).
        XCTAssertTrue(
            eventually(timeout: 10) {
                let started = pids()
                return started.count == 2 && started.allSatisfy { ProcessTree.commandLine($0).hasPrefix("sleep 30") }
            }, tmux.screen())
        let sleeping = pids()
        try tmux.send("C-c")
        // Far below the 30 s of the sleep; the screen says so, and both remote sleeps are gone.
        let (found, screen) = tmux.wait(for: "interrupted", timeout: 10)
        XCTAssertTrue(found, screen)
        XCTAssertTrue(
            eventually(timeout: 10) { sleeping.allSatisfy { !ProcessTree.isAlive($0) } },
            "remote commands still running after Ctrl-C: \(sleeping.filter(ProcessTree.isAlive))")
        try tmux.type("run echo still-here")
        let (again, after) = tmux.wait(for: "2 hosts: 2 ok", count: 2)
        XCTAssertTrue(again, after)
        // Ctrl-C at the prompt clears the line and the shell stays.
        try tmux.send("run never-typed", "C-c")
        try tmux.type("ping")
        XCTAssertTrue(tmux.wait(for: "2 hosts: 2 ok", count: 3).0, tmux.screen())
        XCTAssertFalse(tmux.screen().contains("never-typed: not found"))
    }

    func testCtrlDLeavesNoChildProcess() throws {
        let (tmux, _) = try startChop()
        try tmux.type("add web[1-2]")
        try tmux.type("add sudo nobody")
        try tmux.type("run echo up")
        XCTAssertTrue(tmux.wait(for: "3 hosts: 3 ok").0, tmux.screen())
        let chop = try XCTUnwrap(tmux.panePID())
        let children = ProcessTree.descendants(of: chop)
        XCTAssertGreaterThanOrEqual(children.count, 3, "expected ssh, sudo and python children")
        try tmux.send("C-d")
        XCTAssertEqual(ProcessTree.survivors([chop], timeout: 10), [], "chop still running")
        XCTAssertEqual(ProcessTree.survivors(children), [])
    }

    func testHostOutputCannotDriveTheTerminal() throws {
        let (tmux, _) = try startChop()
        try tmux.type("!echo before-marker")
        XCTAssertTrue(tmux.wait(for: "before-marker", count: 2).0, tmux.screen())
        try tmux.type("run printf '\\033]0;pwned\\007\\033[2Jvisible'")
        let (found, screen) = tmux.wait(for: "1 host: 1 ok")
        XCTAssertTrue(found, screen)
        XCTAssertTrue(screen.contains("^[]0;pwned"), screen)
        // Lines printed before the host's output are still there: its "clear screen" was not obeyed.
        XCTAssertEqual(
            screen.components(separatedBy: "before-marker").count, 3,
            "the screen was cleared by host output:\n\(screen)")
    }

    func testHistoryPersistsAcrossSessions() throws {
        let home = try temporaryFolder(self)
        let (first, _) = try startChop(home: home)
        try first.type("ping")
        try first.type("ping")
        try first.type(" run echo hushed")
        XCTAssertTrue(first.wait(for: "1 host: 1 ok", count: 3).0, first.screen())
        try first.send("C-d")
        XCTAssertTrue(first.wait(timeout: 10) { _ in !first.isRunning }.0, "chop did not exit on Ctrl-D")
        let path = "\(home)/state/chop/history"
        let history = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertEqual(history.components(separatedBy: "ping").count - 1, 1, "no consecutive duplicates: \(history)")
        XCTAssertFalse(history.contains("hushed"), "a line with a leading space stays out of history: \(history)")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int, 0o600)
        let (second, _) = try startChop(home: home)
        try second.send("Up")
        XCTAssertTrue(second.wait(for: "host> ping").0, second.screen())
    }

    /// A block view taller than the terminal goes through the pager (less -R -F -X); the summary follows it.
    func testLongOutputIsPagedAndTheSummaryFollows() throws {
        let (tmux, _) = try startChop()
        try tmux.type("set max-lines 0")
        try tmux.type("run seq 1 100; printf '\\033[2Jafter-escape\\n'")
        // less waits at its prompt with the first screenful: the summary is not printed yet.
        XCTAssertTrue(tmux.wait(for: "── local (1) ok").0, tmux.screen())
        XCTAssertFalse(tmux.screen().contains("1 host: 1 ok"), tmux.screen())
        try tmux.send("G")  // to the end: the host's escape sequence reached the pager made visible
        XCTAssertTrue(tmux.wait(for: "^[[2Jafter-escape").0, tmux.screen())
        try tmux.send("q")
        XCTAssertTrue(tmux.wait(for: "1 host: 1 ok").0, tmux.screen())
        try tmux.type("set pager off")
        try tmux.type("run seq 1 100")
        let (printed, screen) = tmux.wait(for: " · %2")
        XCTAssertTrue(printed, "without the pager the summary follows at once:\n\(screen)")
    }

    /// watch repeats an operation as numbered results until Ctrl-C, naming the hosts whose answer changed.
    func testWatchRepeatsUntilCtrlC() throws {
        let (tmux, _) = try startChop()
        try tmux.type("watch 0.3 py import random; random.random()")
        XCTAssertTrue(tmux.wait(for: "changed since the last round: local (1)").0, tmux.screen())
        try tmux.send("C-c")
        XCTAssertTrue(tmux.wait(timeout: 5) { $0.hasSuffix("host>") || $0.contains("host>\n") }.0, tmux.screen())
        try tmux.type("results")
        let (found, screen) = tmux.wait(for: "%2 ")
        XCTAssertTrue(found, screen)
        XCTAssertTrue(screen.contains("watch 0.3 py import random"), screen)
    }
}
