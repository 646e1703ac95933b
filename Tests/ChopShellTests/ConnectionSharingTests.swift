import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Connections shared between chop runs (`set persist`, ssh's ControlMaster), through a relay that counts the TCP
/// connections reaching sshd. Each test ends the masters it made and proves they are gone.
final class ConnectionSharingTests: XCTestCase {
    /// An ssh config with alias `far1` reaching the fleet through `relay`, and no control settings of the
    /// user's (plus `extra` in `Host *`).
    private func farConfig(_ fleet: SSHFleet, relay: DelayRelay, folder: String, extra: String = "") throws -> String {
        let path = "\(folder)/ssh_config"
        let sharing = try String(contentsOfFile: fleet.sharingConfigFile, encoding: .utf8)
        let alias = "Host far1\n    HostName 127.0.0.2\n    Port \(relay.port)\n    HostKeyAlias chopfleet\n"
        try (alias + sharing.replacingOccurrences(of: "Host *\n", with: "Host *\n" + extra)).write(
            toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The processes of the master chop keeps for `far1` under `config` (their argv names the socket).
    private func masters(_ config: String) throws -> [String] {
        let ssh = try SSH("far1", configFile: config)
        let folder = try XCTUnwrap(ControlMaster.folder)
        return ProcessTree.processesMentioning(folder + "/" + ControlMaster.memberPrefix(ssh))
    }

    func testSetPersistTakesSecondsOrOff() throws {
        var settings = ShellSettings()
        XCTAssertEqual(settings.persist, 60, "connections are shared for a minute unless told otherwise")
        try settings.apply(key: "persist", value: "off")
        XCTAssertNil(settings.persist)
        try settings.apply(key: "persist", value: "300")
        XCTAssertEqual(settings.persist, 300)
        for bad in ["0", "-1", "soon", "86401"] {
            XCTAssertThrowsError(try settings.apply(key: "persist", value: bad)) { error in
                XCTAssertEqual(
                    "\(error)", "persist must be whole seconds from 1 to 86400, or off, not '\(bad)'")
            }
        }
        XCTAssertEqual(settings.persist, 300, "a refused value changes nothing")
    }

    func testASecondRunWithinTheWindowOpensNoConnectionAndDisconnectPersistEndsTheMaster() throws {
        let fleet = try requireFleet()
        try requireChop()
        let folder = try temporaryFolder(self)
        let relay = try DelayRelay(target: "127.0.0.2:\(fleet.port)", delayMs: 5, folder: folder)
        let config = try farConfig(fleet, relay: relay, folder: folder)
        let script = ["-F", config, "--persist", "30", "-q", "-c", "add far1; run hostname; hosts"]
        defer {
            _ = try? runChop(["-F", config, "-q", "-c", "add far1; run true; disconnect --persist"], folder: folder)
        }

        let first = try runChop(script, folder: folder)
        XCTAssertEqual(first.status, 0, first.err)
        XCTAssertEqual(relay.connections, 1)
        XCTAssertFalse(first.out.contains("reused master"), first.out)
        XCTAssertEqual(try masters(config).count, 1, "the master outlives chop")

        let second = try runChop(script, folder: folder)
        XCTAssertEqual(second.status, 0, second.err)
        XCTAssertEqual(relay.connections, 1, "the second run went through the master: no new connection")
        XCTAssertTrue(second.out.contains("up (reused master)"), second.out)

        let ended = try runChop(["-F", config, "-q", "-c", "add far1; run true; disconnect --persist"], folder: folder)
        XCTAssertTrue(
            ended.err.contains("ended 1 shared ssh connection and 1 agent kept for later runs"), ended.err)
        XCTAssertTrue(
            eventually(timeout: 5) { (try? masters(config).isEmpty) ?? false }, "\((try? masters(config)) ?? [])")

        let third = try runChop(script, folder: folder)
        XCTAssertEqual(third.status, 0, third.err)
        XCTAssertEqual(relay.connections, 2, "with the master gone, the next run connects again")
    }

    /// Within the window, the next run's agent is forked by the one the first run left (`LingeringAgent`): no
    /// shell or Python starts on the host, no ssh client here. It ends by itself once the window has passed.
    func testASecondRunReachesTheAgentLeftBehindWhichEndsByItself() throws {
        let fleet = try requireFleet()
        try requireChop()
        let folder = try temporaryFolder(self)
        let relay = try DelayRelay(target: "127.0.0.2:\(fleet.port)", delayMs: 1, folder: folder)
        let config = try farConfig(fleet, relay: relay, folder: folder)
        // The agent's parent: sshd's shell on a fresh start, the lingering agent on a reuse.
        let script = ["-F", config, "--persist", "3", "-q", "-c", "add far1; run ps -o ppid= -p $PPID; hosts"]
        func parent(_ run: (status: Int32, out: String, err: String)) throws -> Int32 {
            XCTAssertEqual(run.status, 0, run.err)
            let line = try XCTUnwrap(run.out.split(separator: "\n").first { $0.hasPrefix("far1 ") }, run.out)
            return try XCTUnwrap(line.split(separator: " ").last.flatMap { Int32($0) }, run.out)
        }
        let first = try parent(try runChop(script, folder: folder))
        let second = try parent(try runChop(script, folder: folder))
        let third = try runChop(script, folder: folder)
        XCTAssertEqual(try parent(third), second, "both reuses reach the same lingering agent")
        XCTAssertNotEqual(second, first)
        XCTAssertTrue(third.out.contains("up (reused master)"), third.out)
        XCTAssertEqual(relay.connections, 1)
        XCTAssertTrue(ProcessTree.isAlive(second), "the lingering agent runs")
        let command = try String(contentsOfFile: "/proc/\(second)/cmdline", encoding: .utf8)
        XCTAssertTrue(command.contains("python"), command)
        XCTAssertTrue(
            eventually(timeout: 30) { !ProcessTree.isAlive(second) },
            "the lingering agent outlived its window (3 s + 5)")
        XCTAssertTrue(eventually(timeout: 10) { (try? masters(config).isEmpty) ?? false })
        let after = try runChop(script, folder: folder)
        XCTAssertNotEqual(try parent(after), second, "after the window the agent starts afresh")
        // A lingering agent that is gone (ended here) costs the next run nothing but the try: it starts afresh.
        let lingering = try parent(try runChop(script, folder: folder))
        XCTAssertEqual(kill(lingering, SIGTERM), 0)
        XCTAssertTrue(eventually(timeout: 5) { !ProcessTree.isAlive(lingering) })
        let fallback = try runChop(script, folder: folder)
        XCTAssertNotEqual(try parent(fallback), lingering)
        XCTAssertEqual(relay.connections, 2)
        _ = try? runChop(["-F", config, "-q", "-c", "add far1; run true; disconnect --persist"], folder: folder)
    }

    /// Masters chop leaves are plain ssh processes that end by themselves once the window has passed.
    func testAMasterLeftBehindEndsByItselfAfterTheWindow() throws {
        let fleet = try requireFleet()
        try requireChop()
        let folder = try temporaryFolder(self)
        let relay = try DelayRelay(target: "127.0.0.2:\(fleet.port)", delayMs: 1, folder: folder)
        let config = try farConfig(fleet, relay: relay, folder: folder)
        let run = try runChop(["-F", config, "--persist", "3", "-q", "-c", "add far1; run true"], folder: folder)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(try masters(config).count, 1, "the master is there after chop ended")
        XCTAssertTrue(
            eventually(timeout: 20) { (try? masters(config).isEmpty) ?? false }, "\((try? masters(config)) ?? [])")
        XCTAssertNil(
            ControlMaster.folder.flatMap { folder in
                try? FileManager.default.contentsOfDirectory(atPath: folder).first {
                    $0.hasPrefix(ControlMaster.memberPrefix(try SSH("far1", configFile: config)))
                }
            }, "its socket is gone too")
    }

    /// The user's ssh config names a ControlPath of its own: chop adds nothing, and that master is the one used.
    func testTheUsersOwnControlPathIsUsed() throws {
        let fleet = try requireFleet()
        try requireChop()
        let folder = try temporaryFolder(self)
        let relay = try DelayRelay(target: "127.0.0.2:\(fleet.port)", delayMs: 1, folder: folder)
        let config = try farConfig(
            fleet, relay: relay, folder: folder,
            extra: "    ControlMaster auto\n    ControlPath \(folder)/mine-%C\n    ControlPersist 30\n")
        defer {
            _ = try? runChop(["-F", config, "-q", "-c", "add far1; run true; disconnect --persist"], folder: folder)
        }
        let script = ["-F", config, "--persist", "60", "-q", "-c", "add far1; run true; hosts"]
        let first = try runChop(script, folder: folder)
        XCTAssertEqual(first.status, 0, first.err)
        let mine = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasPrefix("mine-") }
        XCTAssertEqual(mine.count, 1, "the user's ControlPath holds the master")
        XCTAssertEqual(try masters(config), [], "chop made no master of its own")
        let second = try runChop(script, folder: folder)
        XCTAssertTrue(second.out.contains("up (reused master)"), second.out)
        XCTAssertEqual(relay.connections, 1)
        let ended = try runChop(["-F", config, "-q", "-c", "add far1; run true; disconnect --persist"], folder: folder)
        XCTAssertTrue(ended.err.contains("ended 1 shared ssh connection"), ended.err)
        XCTAssertTrue(
            eventually(timeout: 5) {
                ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).allSatisfy {
                    !$0.hasPrefix("mine-")
                }
            })
    }

    /// `--persist off`: no master for the members, and the jump host's shared one ends with chop.
    func testPersistOffLeavesNoProcessBehind() throws {
        let fleet = try requireFleet()
        try requireChop()
        let folder = try temporaryFolder(self)
        let relay = try DelayRelay(target: "127.0.0.2:\(fleet.port)", delayMs: 1, folder: folder)
        let config = try farConfig(fleet, relay: relay, folder: folder)
        let run = try runChop(
            ["-F", config, "--persist", "off", "-q", "-c", "add far1; add web2 web3 --via web1; run true"],
            folder: folder)
        XCTAssertEqual(run.status, 0, run.err)
        XCTAssertEqual(try masters(config), [])
        try assertTheJumpHostsMasterEnds(try SSH("web2", configFile: config, via: ["web1"]), config: config)
    }
}
