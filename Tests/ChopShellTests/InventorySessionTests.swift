import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Inventories and jump hosts in a session, on the loopback sshd fleet.
final class InventorySessionTests: XCTestCase {
    /// The ssh argv of a member.
    private func argv(_ session: Session, _ name: String) async -> [String] {
        guard let ssh = await session.group[name]?.kind as? SSH else { return [] }
        return ssh.command(script: "true")
    }

    func testInventoryGroupsAreAddedAndTargetedWithTheirVariables() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        try """
        [web]
        web1
        web2
        [db]
        web3 ansible_python_interpreter=/usr/bin/python3
        alias4 ansible_host=web4
        [far]
        odd ansible_host=10.9.9.9 ansible_port=2222 ansible_user=deploy ansible_become=yes ansible_become_user=app
        [far:vars]
        chop_via=bastion
        ansible_user=nobody
        [db:children]
        """.write(toFile: "\(folder)/hosts.ini", atomically: true, encoding: .utf8)
        let recording = RecordingIO()
        let session = Session(io: recording.io, sshConfigFile: fleet.configFile)

        await expect(session, "inventory \(folder)/hosts.ini", .ok)
        let empty = await session.group.isEmpty
        XCTAssertTrue(empty, "loading adds no member")
        XCTAssertEqual(
            recording.takeErr(),
            ["read \(folder)/hosts.ini (Ansible INI): 3 groups, 5 hosts; 'add @GROUP' adds a group's hosts"])
        // A group whose hosts are not members is no target yet.
        await expect(session, "@web run hostname", .error)
        XCTAssertTrue(recording.takeErr().joined().contains("selects no host"))

        await expect(session, "add @web", .ok)
        var names = await session.memberNames
        XCTAssertEqual(names, ["web1", "web2"])
        await expect(session, "add web3", .ok)
        // The group target acts on the group's members only: web3 is a member but not in @web.
        await expect(session, "@web run echo hi", .ok)
        let hosts = await session.lastReport?.outcomes.map(\.host).sorted()
        XCTAssertEqual(hosts, ["web1", "web2"])
        // add @all skips the members it has, adds the rest with their variables.
        _ = recording.takeErr()
        await expect(session, "add @all", .ok)
        names = await session.memberNames
        XCTAssertEqual(names, ["web1", "web2", "web3", "alias4", "odd"])
        XCTAssertTrue(recording.takeErr().joined().contains("3 hosts of the groups named are a member already"))

        // ansible_host: member alias4 is reached at web4; its name stays alias4.
        await expect(session, "@alias4 run echo via-alias", .ok)
        let answer = await session.lastReport?.outcomes.first?.output
        XCTAssertEqual(answer?.trimmingCharacters(in: .whitespacesAndNewlines), "via-alias")
        let odd = await argv(session, "odd")
        for part in [["-p", "2222"], ["-l", "deploy"], ["--", "10.9.9.9"], ["-J", "bastion"]] {
            XCTAssertTrue(odd.joined(separator: " ").contains(part.joined(separator: " ")), "\(odd)")
        }
        XCTAssertTrue(odd.last?.contains("sudo") == true && odd.last?.contains("app") == true, "\(odd)")
        let web1 = await argv(session, "web1")
        XCTAssertFalse(web1.contains("-J") || web1.contains("-l"), "group vars of a group it is not in: \(web1)")

        // A bad file is one FILE:LINE line and changes nothing.
        try "[web]\nweb1\n[more]\nx[1:3\n".write(toFile: "\(folder)/bad.ini", atomically: true, encoding: .utf8)
        let before = await session.inventory
        _ = recording.takeErr()
        await expect(session, "inventory \(folder)/hosts.ini \(folder)/bad.ini", .error)
        XCTAssertEqual(recording.takeErr(), ["chop: \(folder)/bad.ini:4: 'x[1:3': '[' without ']'"])
        let after = await session.inventory
        XCTAssertEqual(before, after)

        for (line, message) in [
            ("add @nothing", "no inventory group 'nothing'; groups: @all, @web, @db, @far"),
            ("add @", "names cannot be empty"), ("inventory \(folder)/missing.ini", "missing.ini: no such file"),
            ("inventory \(folder)", "is a folder"),
        ] {
            await expect(session, line, .error)
            let error = recording.takeErr()
            XCTAssertEqual(error.count, 1, "\(line): \(error)")
            XCTAssertTrue(error.joined().contains(message), "\(line): \(error)")
        }
        await expect(session, "inventory", .ok)
        let listing = recording.takeOut()
        XCTAssertTrue(listing.contains { $0.hasPrefix("@web ") && $0.contains("2") }, "\(listing)")
        await session.close()
    }

    /// `chop -i FILE` (repeatable) reads inventories before the script; a bad one stops chop with status 2.
    func testInventoryOnTheCommandLine() throws {
        let fleet = try requireFleet()
        try requireChop()
        let folder = try temporaryFolder(self)
        try "[web]\nweb1\nweb2\n".write(toFile: "\(folder)/web.ini", atomically: true, encoding: .utf8)
        try "db: web3\n".write(toFile: "\(folder)/groups", atomically: true, encoding: .utf8)
        try "[web]\nweb1 ansible_port=none\n".write(toFile: "\(folder)/bad.ini", atomically: true, encoding: .utf8)
        let good = try runChop(
            [
                "-F", fleet.configFile, "-i", "\(folder)/web.ini", "--inventory", "\(folder)/groups", "-q", "-c",
                "add @web @db; @db run echo from-db",
            ], folder: folder)
        XCTAssertEqual(good.status, 0, good.err)
        XCTAssertTrue(good.out.contains("from-db"), good.out)
        XCTAssertTrue(good.err.contains("added 3 members: web[1-3]"), good.err)
        let bad = try runChop(["-i", "\(folder)/web.ini", "-i", "\(folder)/bad.ini", "-c", "hosts"], folder: folder)
        XCTAssertEqual(bad.status, 2)
        XCTAssertEqual(
            bad.err.trimmingCharacters(in: .newlines),
            "chop: \(folder)/bad.ini:2: ansible_port must be a port number (1-65535), not 'none'")
    }

    func testGroupNamesComplete() {
        let engine = CompletionEngine(members: ["web1"], groups: ["all", "webservers", "db"])
        XCTAssertEqual(engine.complete("add @w").candidates, ["@webservers"])
        XCTAssertEqual(engine.complete("add @").candidates, ["@all", "@db", "@webservers"])
        XCTAssertEqual(engine.complete("@webs").candidates, ["@webservers"])
        XCTAssertEqual(engine.complete("@d").candidates, ["@db", "@down"])
    }

    /// The TCP connection that carried a member's ssh session, seen from the host: SSH_CONNECTION's client
    /// port, and the process that owns that client socket on this machine (`ss -tnp`).
    private func carrier(_ session: Session, _ name: String) async throws -> (pid: pid_t, command: String) {
        await expectOK(session, "@\(name) run echo $SSH_CONNECTION")
        let text = (await session.lastReport?.outcomes.first?.output ?? "").trimmingCharacters(
            in: .whitespacesAndNewlines)
        let words = text.split(separator: " ")
        guard words.count == 4 else {
            XCTFail("SSH_CONNECTION of \(name): \(text)")
            return (0, "")
        }
        let query = [
            "ss", "-tnpH", "state", "established", "src", "\(words[0]):\(words[1])", "dst", "\(words[2]):\(words[3])",
        ]
        let output = try Command.run(query).output
        guard let range = output.range(of: #"pid=(\d+)"#, options: .regularExpression),
            let pid = pid_t(output[range].dropFirst(4))
        else {
            XCTFail("no owner of \(words[0]):\(words[1]) → \(words[2]):\(words[3]): \(output)")
            return (0, "")
        }
        return (pid, ProcessTree.commandLine(pid))
    }

    private func expectOK(_ session: Session, _ line: String, file: StaticString = #filePath, line number: UInt = #line)
        async
    {
        await expect(session, line, .ok, file: file, line: number)
    }

    /// `--via web1`: ssh's ProxyJump. The host sees its connection come from a socket that the jump host's sshd
    /// owns (a child of the fleet's sshd), where a direct member's socket is chop's own ssh; a chain goes
    /// through both hops; inventories set it with chop_via and ansible_ssh_common_args.
    func testJumpHostsCarryTheConnection() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let recording = RecordingIO()
        let session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        await expect(session, "add web2 --via web1", .ok)
        await expect(session, "add web3", .ok)
        await expect(session, "add web4 --via web1,web2", .ok)

        let jumped = try await carrier(session, "web2")
        XCTAssertTrue(ProcessTree.descendants(of: fleet.pid).contains(jumped.pid), "\(jumped)")
        XCTAssertTrue(
            jumped.command.contains("sshd"), "web2's connection is carried by the jump host's sshd: \(jumped)")
        let direct = try await carrier(session, "web3")
        XCTAssertFalse(ProcessTree.descendants(of: fleet.pid).contains(direct.pid), "\(direct)")
        XCTAssertTrue(direct.command.hasPrefix("ssh "), "web3 is reached by chop's ssh itself: \(direct)")
        let chained = try await carrier(session, "web4")
        XCTAssertTrue(ProcessTree.descendants(of: fleet.pid).contains(chained.pid), "\(chained)")
        XCTAssertTrue(chained.command.contains("sshd"), "\(chained)")

        await expect(session, "hosts", .ok)
        let table = recording.takeOut()
        XCTAssertTrue(table.contains { $0.hasPrefix("web2") && $0.contains("ssh via web1 ") }, "\(table)")
        XCTAssertTrue(table.contains { $0.hasPrefix("web4") && $0.contains("ssh via web1,web2") }, "\(table)")
        XCTAssertTrue(table.contains { $0.hasPrefix("web3") && $0.contains("ssh ") && !$0.contains("via") }, "\(table)")

        // trust cannot scan through a jump host: one clear line, nothing written.
        _ = recording.takeErr()
        await expect(session, "trust web2 --yes", .hostsFailed)
        let refusal = recording.takeErr()
        XCTAssertEqual(refusal.count, 1, "\(refusal)")
        XCTAssertTrue(
            refusal[0].contains("reached via web1 and ssh-keyscan cannot go through a jump host"), "\(refusal)")
        await expect(session, "trust --replace web2 --yes", .error)
        XCTAssertTrue(recording.takeErr().joined().contains("ssh-keyscan cannot go through a jump host"))

        // Inventories: chop_via for a group, ProxyJump in ansible_ssh_common_args for a host; --via wins.
        await expect(session, "remove web2 web4", .ok)
        try """
        behind:
          hosts:
            web2:
              ansible_ssh_common_args: '-o ServerAliveInterval=5 -J web3'
            web4:
          vars:
            chop_via: web1
        """.write(toFile: "\(folder)/inventory.yml", atomically: true, encoding: .utf8)
        await expect(session, "inventory \(folder)/inventory.yml", .ok)
        await expect(session, "add @behind", .ok)
        let behind2 = try await carrier(session, "web2")
        let behind4 = try await carrier(session, "web4")
        XCTAssertTrue(behind2.command.contains("sshd"), "\(behind2)")
        XCTAssertTrue(behind4.command.contains("sshd"), "\(behind4)")
        let web2 = await argv(session, "web2")
        XCTAssertTrue(web2.joined(separator: " ").contains("-J web1"), "chop_via wins over common args: \(web2)")
        await expect(session, "remove @behind", .ok)
        await expect(session, "add @behind --via web3", .ok)
        let overridden = await argv(session, "web4")
        XCTAssertTrue(overridden.joined(separator: " ").contains("-J web3"), "\(overridden)")
        let through3 = try await carrier(session, "web4")
        XCTAssertTrue(through3.command.contains("sshd"), "\(through3)")

        // A jump host that does not answer is this member's error, the others work.
        await expect(session, "add web1 --via closed", .ok)
        await expect(session, "run true", .hostsFailed)
        let report = await session.lastReport
        XCTAssertEqual(report?.failedHosts, ["web1"])

        _ = recording.takeErr()
        for (line, message) in [
            ("add web1 --via", "--via needs a value"), ("add web1 --via a,,b", "--via needs jump hosts"),
            ("add web1 --via=-oProxyCommand=x", "needs a value"), ("add web1 --via 'a b'", "cannot contain spaces"),
        ] {
            await expect(session, line, .error)
            let error = recording.takeErr()
            XCTAssertEqual(error.count, 1, "\(line): \(error)")
            XCTAssertTrue(error.joined().contains(message), "\(line): \(error)")
        }
        await session.close()
    }
}
