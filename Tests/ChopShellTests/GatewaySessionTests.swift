import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// `add … --gateway`: leaves behind Local gateways, driven through the shell as a user would.
final class GatewaySessionTests: SessionTestCase {
    func testLeavesBehindAGatewayRunPutFetchAndShowTheirRoute() async throws {
        var step = await run("add local gw")
        step = await run("add local leaf[1-50] --gateway gw")
        XCTAssertEqual(step.err, ["added 50 members: leaf[1-50]"], "\(step.err)")
        step = await run("run echo hi")
        XCTAssertEqual(step.result, .ok, "\(step.err)")
        step = await run("hosts")
        let rows = step.out.filter { $0.hasPrefix("leaf") }
        XCTAssertEqual(rows.count, 50, "\(step.out)")
        XCTAssertTrue(rows.allSatisfy { $0.contains("local via gw") && $0.contains(" up ") }, "\(rows)")
        step = await run("@via:gw call os.getppid")
        XCTAssertEqual(step.result, .ok, "\(step.err)")
        let gatewayPid = await session.execute("@gw call os.getpid")
        XCTAssertEqual(gatewayPid, .ok)
        let folder = NSTemporaryDirectory() + "chop-gw-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "payload\n".write(toFile: "\(folder)/f.txt", atomically: true, encoding: .utf8)
        step = await run("@leaf[1-3] put \(folder)/f.txt \(folder)/{host}.txt")
        XCTAssertEqual(step.result, .ok, "\(step.err)")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/leaf2.txt", encoding: .utf8), "payload\n")
        step = await run("@leaf1 fetch \(folder)/leaf1.txt \(folder)/back/{host}")
        XCTAssertEqual(step.result, .ok, "\(step.err)")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/back/leaf1", encoding: .utf8), "payload\n")
    }

    func testALostGatewayShowsOnItsLeavesAndReconnectBringsThemBack() async throws {
        await run("add local gw[1-2]")
        await run("add local leaf[1-4] --gateway gw[1-2]")
        var step = await run("set output json")
        step = await run("@gw1 call os.getpid")
        let reply = try JSONSerialization.jsonObject(with: Data(step.out.joined().utf8)) as? [String: Any]
        let hosts = try XCTUnwrap(reply?["hosts"] as? [[String: Any]])
        let pid = try XCTUnwrap(hosts.first?["value"] as? Int32)
        XCTAssertGreaterThan(pid, 1)
        step = await run("@via:gw1 run true")
        XCTAssertEqual(step.result, .ok, "\(step.err)")
        // Killed mid-command: its leaves fail at once with the reason, not at the command's end.
        let session = self.session!
        let running = Task { await session.execute("@via:gw1 run sleep 20") }
        try await Task.sleep(for: .seconds(1))
        kill(pid, SIGKILL)
        let start = ContinuousClock.now
        _ = await running.value
        XCTAssertLessThan(start.duration(to: .now), .seconds(10))
        step = (.ok, recording.takeOut(), recording.takeErr())
        XCTAssertTrue(step.out.joined().contains("gateway gw1 lost"), "\(step.out) \(step.err)")
        await run("@gw1 disconnect")
        step = await run("@leaf1,leaf3 reconnect")
        XCTAssertEqual(step.result, .ok, "\(step.out) \(step.err)")
        step = await run("@leaf[1-4] run echo back")
        XCTAssertEqual(step.result, .ok, "\(step.out) \(step.err)")
    }

    /// SSH leaves behind an alias gateway on the loopback sshd, from `--gateway` and from an inventory's
    /// `chop_gateway`.
    func testSSHLeavesFromAddAndFromAnInventoryGoThroughTheirGateway() async throws {
        let fleet = try requireFleet()
        let recording = RecordingIO()
        let session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        defer { Task { await session.close() } }
        let folder = NSTemporaryDirectory() + "chop-gw-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try "[leaves]\nweb2\nweb3\n[leaves:vars]\nchop_gateway=web1\n".write(
            toFile: "\(folder)/hosts.ini", atomically: true, encoding: .utf8)
        var result = await session.execute("add web1")
        XCTAssertEqual(result, .ok)
        result = await session.execute("inventory \(folder)/hosts.ini")
        result = await session.execute("add @leaves")
        XCTAssertEqual(result, .ok, "\(recording.takeErr())")
        result = await session.execute("add web4 --gateway web1")
        XCTAssertEqual(result, .ok, "\(recording.takeErr())")
        _ = recording.takeOut()
        result = await session.execute("@via:web1 run echo $SSH_CONNECTION")
        XCTAssertEqual(result, .ok, "\(recording.takeOut()) \(recording.takeErr())")
        _ = recording.takeOut()
        result = await session.execute("hosts")
        let rows = recording.takeOut().filter { $0.hasPrefix("web") }
        XCTAssertEqual(rows.filter { $0.contains("ssh via web1") }.count, 3, "\(rows)")
        // --forward-agent: web1 is up without forwarding, so it is told to reconnect; its next ssh forwards.
        result = await session.execute("add web5 --gateway web1 --forward-agent")
        XCTAssertEqual(result, .ok)
        XCTAssertTrue(
            recording.takeErr().contains {
                $0.contains("web1 forwards your agent from its next connect") && $0.contains("@web1 reconnect")
            })
        let members = await session.group
        let web1 = try XCTUnwrap(members["web1"]?.kind as? SSH)
        XCTAssertTrue(web1.command(script: "true").contains("ForwardAgent=yes"))
        let web5 = try XCTUnwrap(members["web5"]?.kind as? GatewayLeaf)
        XCTAssertTrue(web5.forwardAgent)
        XCTAssertFalse(web5.command(script: "true").contains("ForwardAgent=yes"))
        result = await session.execute("add web6 --forward-agent")
        XCTAssertEqual(
            recording.takeErr(), ["chop: --forward-agent is for hosts behind a gateway: add --gateway GW"])
    }

    /// A leaf's unknown key is scanned from its gateway and, after the same question, written to the known_hosts
    /// the gateway's ssh reads; the leaf then connects.
    func testTrustWritesALeafsKeyThroughItsGateway() async throws {
        let fleet = try requireFleet()
        let folder = NSTemporaryDirectory() + "chop-gwtrust-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let key = try String(contentsOfFile: fleet.directory + "/host_key.pub", encoding: .utf8).split(separator: " ")
        try "gwkey \(key[0]) \(key[1])\n".write(toFile: "\(folder)/known_hosts", atomically: true, encoding: .utf8)
        try """
        Host gw
            HostName 127.0.0.2
            HostKeyAlias gwkey
        Host leaf
            HostName 127.0.0.3
        Host *
            Port \(fleet.port)
            User root
            IdentityFile \(fleet.directory)/client_key
            IdentitiesOnly yes
            UserKnownHostsFile \(folder)/known_hosts
            GlobalKnownHostsFile /dev/null
            ControlMaster no

        """.write(toFile: "\(folder)/ssh_config", atomically: true, encoding: .utf8)
        let recording = RecordingIO()
        let session = Session(io: recording.io, sshConfigFile: "\(folder)/ssh_config")
        defer { Task { await session.close() } }
        _ = await session.execute("add gw")
        _ = await session.execute("add leaf --gateway gw")
        _ = await session.execute("ping")
        var states = Dictionary(uniqueKeysWithValues: await session.members().map { ($0.name, $0.state) })
        XCTAssertEqual(states, ["gw": "up", "leaf": "unknown key"])
        _ = recording.takeOut()
        let result = await session.execute("trust --yes")
        let out = recording.takeOut()
        XCTAssertEqual(result, .ok, "\(out) \(recording.takeErr())")
        XCTAssertTrue(out.contains("  leaf (127.0.0.3:\(fleet.port) from gw)"), "\(out)")
        XCTAssertTrue(out.contains("added 1 key to \(folder)/known_hosts on gw"), "\(out)")
        states = Dictionary(uniqueKeysWithValues: await session.members().map { ($0.name, $0.state) })
        XCTAssertEqual(states, ["gw": "up", "leaf": "up"])
        let written = try String(contentsOfFile: "\(folder)/known_hosts", encoding: .utf8)
        XCTAssertTrue(written.contains("[127.0.0.3]:\(fleet.port) \(key[0]) \(key[1])"), written)
    }

    func testBadGatewaysAreRefusedInOneLine() async throws {
        await run("add local gw")
        var step = await run("add local a --gateway nosuch")
        XCTAssertEqual(step.err, ["chop: gateway 'nosuch' is not a member; add it first, e.g. add nosuch"])
        await run("add local b --gateway gw")
        step = await run("add local c --gateway b")
        XCTAssertEqual(step.err, ["chop: 'b' is itself behind a gateway; name a member chop reaches directly"])
        step = await run("add local gw2 --gateway gw2")
        XCTAssertEqual(step.err, ["chop: gateway 'gw2' is not a member; add it first, e.g. add gw2"])
        step = await run("hosts")
        XCTAssertEqual(step.out.filter { $0.hasPrefix("a ") || $0.hasPrefix("c ") }, [])
    }

    /// `where` through a gateway works as it does direct: each leaf's own namespace decides @match.
    func testWhereThroughAGatewayMakesMatchAndNomatch() async throws {
        await run("add local gw")
        await run("add local leaf[1-3] --gateway gw")
        await run("@leaf1 py flag = {1}")
        await run("@leaf2 py flag = set()")
        var step = await run("@leaf[1-2] where flag")
        XCTAssertEqual(step.result, .ok, "\(step.out) \(step.err)")
        XCTAssertTrue(step.out.contains { $0.hasPrefix("leaf1 ") && $0.hasSuffix("{1}") }, "\(step.out)")
        XCTAssertTrue(step.out.last?.hasSuffix(" · @match = leaf1 · @nomatch = leaf2") == true, "\(step.out)")
        step = await run("where flag")
        XCTAssertEqual(step.result, .hostsFailed, "gw and leaf3 raise NameError")
        XCTAssertTrue(step.out.contains { $0.contains("leaf3") && $0.contains("NameError") }, "\(step.out)")
        await run("@match run echo {host}")
        step = await run("@match where os.path.exists('/')")
        XCTAssertTrue(step.out.last?.hasSuffix(" · @match = leaf1") == true, "\(step.out)")
    }

    /// Idle leaves show their gateway lost as soon as it is, in `hosts`, with no operation to notice it.
    func testIdleLeavesGoDownWhenTheirGatewayIsLost() async throws {
        await run("add local gw[1-2]")
        await run("add local leaf[1-4] --gateway gw[1-2]")
        var step = await run("run true")
        XCTAssertEqual(step.result, .ok, "\(step.err)")
        step = await run("set output json")
        step = await run("@gw2 call os.getpid")
        let reply = try JSONSerialization.jsonObject(with: Data(step.out.joined().utf8)) as? [String: Any]
        let hosts = try XCTUnwrap(reply?["hosts"] as? [[String: Any]])
        let pid = try XCTUnwrap(hosts.first?["value"] as? Int32)
        kill(pid, SIGKILL)
        var states: [String: (state: String, error: String)] = [:]
        for _ in 0..<100 {
            step = await run("hosts")
            let table = try JSONSerialization.jsonObject(with: Data(step.out.joined().utf8)) as? [String: Any]
            for host in table?["hosts"] as? [[String: Any]] ?? [] {
                states[host["name"] as? String ?? ""] = (
                    host["state"] as? String ?? "", host["last_error"] as? String ?? ""
                )
            }
            if states["leaf2"]?.state == "down", states["leaf4"]?.state == "down" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        for leaf in ["leaf2", "leaf4"] {
            XCTAssertEqual(states[leaf]?.state, "down", "\(states)")
            XCTAssertEqual(states[leaf]?.error, "gateway gw2 lost", "\(states)")
        }
        // gw1's leaves are untouched.
        XCTAssertEqual(states["leaf1"]?.state, "up", "\(states)")
        XCTAssertEqual(states["leaf3"]?.state, "up", "\(states)")
        step = await run("@down reconnect")
        XCTAssertEqual(step.result, .ok, "\(step.out) \(step.err)")
    }
}
