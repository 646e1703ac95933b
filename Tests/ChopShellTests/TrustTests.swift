import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// `trust` against the real loopback sshd, with an ssh config and known_hosts of the test's own: the hosts'
/// states, the fingerprints shown, what is written (hashed, as ssh reads it) and what is refused.
final class TrustTests: XCTestCase {
    /// An ssh config whose aliases reach the fleet: `k1`, `k2` (no key known), `kc` (a wrong key known).
    private struct Fixture {
        let folder: String
        let config: String
        let knownHosts: String
        let port: Int
        /// The fleet's real host key, as `ssh-keygen -l` prints its fingerprint.
        let fingerprint: String
    }

    private func makeFixture(_ fleet: SSHFleet, hashed: Bool = true) throws -> Fixture {
        let folder = NSTemporaryDirectory() + "chop-trust-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
        let knownHosts = folder + "/known_hosts"
        let wrong = try String(contentsOfFile: fleet.directory + "/wrong_host_key.pub", encoding: .utf8)
        let wrongFields = wrong.split(separator: " ")
        try "[127.0.0.4]:\(fleet.port) \(wrongFields[0]) \(wrongFields[1])\n".write(
            toFile: knownHosts, atomically: true, encoding: .utf8)
        var config = ""
        for (name, address) in [("k1", "127.0.0.2"), ("k2", "127.0.0.3"), ("kc", "127.0.0.4")] {
            config += "Host \(name)\n    HostName \(address)\n    Port \(fleet.port)\n"
        }
        // `ka`: a HostKeyAlias, under which ssh looks its key up (and trust must store it).
        config += "Host ka\n    HostName 127.0.0.5\n    Port \(fleet.port)\n    HostKeyAlias ka-alias\n"
        config += """
            Host *
                User root
                IdentityFile \(fleet.directory)/client_key
                IdentitiesOnly yes
                UserKnownHostsFile \(knownHosts)
                GlobalKnownHostsFile /dev/null
                HashKnownHosts \(hashed ? "yes" : "no")
                ControlMaster no
                ControlPath \(folder)/cm-%C

            """
        try config.write(toFile: folder + "/ssh_config", atomically: true, encoding: .utf8)
        let listed = try Command.run(["ssh-keygen", "-l", "-f", fleet.directory + "/host_key.pub"]).output
        let fingerprint = String(listed.split(separator: " ")[1])
        XCTAssertTrue(fingerprint.hasPrefix("SHA256:"), listed)
        return Fixture(
            folder: folder, config: folder + "/ssh_config", knownHosts: knownHosts, port: fleet.port,
            fingerprint: fingerprint)
    }

    /// Waits (bounded) until no member is still connecting.
    private func settled(_ session: Session) async -> [String: String] {
        _ = await waitUntil(timeout: 20) {
            await session.members().allSatisfy { $0.state != "connecting" && $0.state != "idle" }
        }
        return Dictionary(uniqueKeysWithValues: await session.members().map { ($0.name, $0.state) })
    }

    private func knownHostsLines(_ fixture: Fixture) throws -> [String] {
        try String(contentsOfFile: fixture.knownHosts, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    func testStatesTrustWithYesAndRefusalsOfChangedKeys() async throws {
        let fixture = try makeFixture(try requireFleet())
        let recording = RecordingIO()
        let session = Session(io: recording.io, sshConfigFile: fixture.config)
        await expect(session, "add k1 k2 kc", .ok)
        let states = await settled(session)
        XCTAssertEqual(states, ["k1": "unknown key", "k2": "unknown key", "kc": "KEY CHANGED"])
        let prompt = await session.prompt()
        XCTAssertTrue(prompt.contains("(2 unknown key, 1 KEY CHANGED)"), prompt)
        _ = recording.takeOut()
        _ = recording.takeErr()

        // The targets, and the error rows.
        await expect(session, "@unknown-key ping", .hostsFailed)
        let rows = recording.takeOut().joined(separator: "\n")
        XCTAssertTrue(rows.contains("unknown host key: ssh knows no key for k1"), rows)
        XCTAssertFalse(rows.contains("kc"), rows)
        await expect(session, "@key-changed ping", .hostsFailed)
        let changed = recording.takeOut().joined(separator: "\n")
        XCTAssertTrue(changed.contains("HOST KEY CHANGED"), changed)
        await session.execute("log kc")
        let log = (recording.takeOut() + recording.takeErr()).joined(separator: "\n")
        XCTAssertTrue(log.contains("REMOTE HOST IDENTIFICATION HAS CHANGED"), log)

        // No terminal and no --yes: the fingerprints are shown, nothing is written.
        let before = try knownHostsLines(fixture)
        await expect(session, "trust", .error)
        let shown = recording.takeOut().joined(separator: "\n")
        XCTAssertTrue(shown.contains("ssh-ed25519 \(fixture.fingerprint)"), shown)
        XCTAssertTrue(shown.contains("k1 (127.0.0.2:\(fixture.port)), k2 (127.0.0.3:\(fixture.port))"), shown)
        XCTAssertTrue(shown.contains("! one key on 2 different hosts: cloned images"), shown)
        XCTAssertTrue(recording.takeErr().joined().contains("nothing written"))
        XCTAssertEqual(try knownHostsLines(fixture), before)

        // A pinned fingerprint that does not match: refused, nothing written.
        await expect(session, "trust --fingerprint SHA256:AAAAnotthekey", .hostsFailed)
        XCTAssertTrue(recording.takeErr().joined().contains("no key matches --fingerprint"))
        XCTAssertEqual(try knownHostsLines(fixture), before)

        // A changed key is never replaced by trust, whatever the target and --yes.
        await expect(session, "trust @kc --yes", .hostsFailed)
        XCTAssertTrue(recording.takeErr().joined().contains("trust never replaces one"))
        await expect(session, "trust @all --yes", .hostsFailed)
        XCTAssertTrue(recording.takeErr().joined().contains("kc: its key CHANGED"))
        XCTAssertEqual(try knownHostsLines(fixture).first, before.first)
        _ = recording.takeOut()
        // That last one trusted k1 and k2 (the hosts it could): hashed entries, and ssh accepts them.
        let after = try knownHostsLines(fixture)
        XCTAssertEqual(after.count, 3, "\(after)")
        XCTAssertTrue(after.dropFirst().allSatisfy { $0.hasPrefix("|1|") }, "\(after)")
        let found = try Command.run(["ssh-keygen", "-F", "[127.0.0.2]:\(fixture.port)", "-f", fixture.knownHosts])
        XCTAssertTrue(found.output.contains("ssh-ed25519"), found.output)
        let states2 = await settled(session)
        XCTAssertEqual(states2["k1"], "up")
        XCTAssertEqual(states2["k2"], "up")
        await expect(session, "@k1,k2 run echo hi", .ok)
        await session.close()
    }

    func testReplaceOneChangedKeyAndPinnedFingerprints() async throws {
        let fixture = try makeFixture(try requireFleet(), hashed: false)
        let recording = RecordingIO()
        let session = Session(io: recording.io, sshConfigFile: fixture.config)
        await expect(session, "add k1 kc", .ok)
        _ = await settled(session)

        // A pin that matches trusts without a question; the entry is plain when HashKnownHosts is no.
        await expect(session, "trust k1 --fingerprint \(fixture.fingerprint)", .ok)
        XCTAssertTrue(
            try knownHostsLines(fixture).contains { $0.hasPrefix("[127.0.0.2]:\(fixture.port) ssh-ed25519 ") })
        _ = recording.takeOut()

        // --replace: old and new fingerprints; no terminal, no --yes: nothing changes.
        let before = try knownHostsLines(fixture)
        await expect(session, "trust --replace kc", .error)
        let shown = recording.takeOut().joined(separator: "\n")
        XCTAssertTrue(shown.contains("old  ssh-ed25519 SHA256:"), shown)
        XCTAssertTrue(shown.contains("new  ssh-ed25519 \(fixture.fingerprint)"), shown)
        XCTAssertEqual(try knownHostsLines(fixture), before)
        // On a terminal it asks; "no" changes nothing either.
        let declining = RecordingIO(answer: false)
        let other = Session(io: declining.io, sshConfigFile: fixture.config)
        await expect(other, "add kc", .ok)
        _ = await settled(other)
        await expect(other, "trust --replace kc", .error)
        XCTAssertEqual(declining.questions.count, 1)
        XCTAssertEqual(try knownHostsLines(fixture), before)
        await other.close()

        await expect(session, "trust --replace kc --yes", .ok)
        XCTAssertTrue(FileManager.default.fileExists(atPath: fixture.knownHosts + ".old"))
        let keys = try Command.run(["ssh-keygen", "-F", "[127.0.0.4]:\(fixture.port)", "-f", fixture.knownHosts])
        let realKey = try String(contentsOfFile: try requireFleet().directory + "/host_key.pub", encoding: .utf8)
        XCTAssertTrue(keys.output.contains(String(realKey.split(separator: " ")[1])), keys.output)
        let settledStates = await settled(session)
        XCTAssertEqual(settledStates["kc"], "up")
        await session.close()
    }

    /// On a terminal, one question for the whole batch; "no" writes nothing, "yes" writes.
    func testOneQuestionForTheBatch() async throws {
        let fixture = try makeFixture(try requireFleet())
        for answer in [false, true] {
            let recording = RecordingIO(answer: answer)
            let session = Session(io: recording.io, sshConfigFile: fixture.config)
            await expect(session, "add k1 k2", .ok)
            _ = await settled(session)
            let before = try knownHostsLines(fixture)
            await expect(session, "trust", answer ? .ok : .error)
            XCTAssertEqual(recording.questions, ["Add 2 keys for 2 hosts to your known_hosts? [y/N] "])
            XCTAssertEqual(try knownHostsLines(fixture).count, before.count + (answer ? 2 : 0))
            await session.close()
        }
    }
}

extension TrustTests {
    /// chop never weakens host-key checking by itself: the user's own StrictHostKeyChecking applies.
    func testSSHCommandLeavesHostKeyCheckingToTheUser() throws {
        for kind in [try SSH("web1"), try SSH("web1", sudo: true, sudoUser: "postgres")] {
            for password in [false, true] {
                let argv = kind.command(script: "true", sudoPassword: password).joined(separator: " ")
                XCTAssertFalse(argv.lowercased().contains("stricthostkeychecking"), argv)
                XCTAssertFalse(argv.lowercased().contains("accept-new"), argv)
                XCTAssertTrue(argv.contains("BatchMode=yes"), argv)
            }
        }
    }

    /// With a HostKeyAlias, the key is stored under the alias, not the address, and ssh then accepts it.
    func testAKeyIsStoredUnderTheHostKeyAlias() async throws {
        let fixture = try makeFixture(try requireFleet(), hashed: false)
        let recording = RecordingIO()
        let session = Session(io: recording.io, sshConfigFile: fixture.config)
        await expect(session, "add ka", .ok)
        let states = await settled(session)
        XCTAssertEqual(states["ka"], "unknown key")
        await expect(session, "trust --yes", .ok)
        let lines = try knownHostsLines(fixture)
        XCTAssertTrue(lines.contains { $0.hasPrefix("ka-alias ssh-ed25519 ") }, "\(lines)")
        XCTAssertFalse(lines.contains { $0.hasPrefix("[127.0.0.5]") }, "\(lines)")
        let after = await settled(session)
        XCTAssertEqual(after["ka"], "up")
        await session.close()
    }
}
