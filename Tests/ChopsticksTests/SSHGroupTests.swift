import Chopsticks
import Foundation
import TestSupport
import XCTest

/// A group over the real loopback sshd fleet, with broken hosts next to healthy ones.
final class SSHGroupTests: XCTestCase {
    func makeGroup(_ names: [String], connectTimeout: Int = 10) throws -> Group {
        let fleet = try requireFleet()
        return try Group(names.map { Tunnel(try fleet.ssh($0), connectTimeout: connectTimeout) })
    }

    func testRunOnSeveralHostsWithBrokenOnesBeside() async throws {
        let group = try makeGroup(["web1", "web2", "web3", "closed", "badkey", "nopython", "nokey"])
        let result = await group.run("echo \"$SSH_CONNECTION\" | cut -d' ' -f3")
        XCTAssertEqual(result.map(\.host), ["web1", "web2", "web3", "closed", "badkey", "nopython", "nokey"])
        XCTAssertEqual(result[host: "web1"].flatMap { try? $0.get().stdoutText }, "127.0.0.2\n")
        XCTAssertEqual(result[host: "web3"].flatMap { try? $0.get().stdoutText }, "127.0.0.4\n")
        XCTAssertEqual(result.successful().map(\.host), ["web1", "web2", "web3"])
        XCTAssertEqual(result.failures().map(\.host), ["closed", "badkey", "nopython", "nokey"])
        XCTAssertEqual(result[3].error?.msg, "connection refused")
        XCTAssertEqual(result[4].error?.kind, .hostKeyChanged)
        XCTAssertEqual(stateCase(group.tunnels[4].state), "keyChanged")
        XCTAssertTrue(group.tunnels[4].stderr.lines.contains { $0.contains("REMOTE HOST IDENTIFICATION HAS CHANGED") })
        XCTAssertEqual(result[5].error?.msg, "no Python 3.6+ found on nopython")
        XCTAssertEqual(result[5].error?.cause, .noPython)
        XCTAssertEqual(result[6].error?.msg, "permission denied (publickey)")
        XCTAssertThrowsError(try result.raiseFailures()) { error in
            XCTAssertTrue("\(error)".hasPrefix("4/7 hosts had failures: closed: connection refused"), "\(error)")
        }
        await group.close()
        await assertNoStrayChildren()
    }

    func testEveryOperationOnSeveralHosts() async throws {
        let group = try makeGroup(["web1", "web2", "web3"])
        let folder = try temporaryFolder(self)
        let connected = await group.connect()
        XCTAssertEqual(connected.failures().count, 0)

        let calls = await group.call("os.path.exists", ["/etc/passwd"])
        XCTAssertEqual(calls.successful().map(\.value), [true, true, true])
        let execs = await group.exec("x = 2\nx * 21")
        XCTAssertEqual(execs.successful().map(\.value.value), [42, 42, 42])
        let facts = await group.facts(["python_version", "hostname"])
        XCTAssertEqual(facts.successful().count, 3)
        let pings = await group.ping()
        XCTAssertEqual(pings.successful().count, 3)

        try "payload\n".write(toFile: "\(folder)/payload", atomically: true, encoding: .utf8)
        let puts = await group.put("\(folder)/payload", "\(folder)/remote-{copy}")
        XCTAssertEqual(puts.successful().count, 3)
        let fetched = await group.fetch("/etc/hostname", to: "\(folder)/fetched/{host}/hostname")
        XCTAssertEqual(
            fetched.successful().map(\.value.localPath),
            ["web1", "web2", "web3"].map {
                "\(folder)/fetched/\($0)/hostname"
            })
        await group.close()
        await assertNoStrayChildren()
    }

    func testLargePutAndFetchAreChecksummed() async throws {
        let group = try makeGroup(["web1", "web2"])
        let folder = try temporaryFolder(self)
        let sha = try writeRandomFile("\(folder)/big", size: 50 << 20)
        let puts = await group.put("\(folder)/big")
        XCTAssertEqual(puts.failures().count, 0, "\(puts.failures().map { $0.error?.msg ?? "" })")
        for (_, put) in puts.successful() {
            XCTAssertEqual(put.size, 50 << 20)
            XCTAssertEqual(put.sha1sum, sha)
            XCTAssertEqual(try sha1sum(put.remotePath), sha)
            try FileManager.default.removeItem(atPath: put.remotePath)
        }
        let fetched = await group.fetch("\(folder)/big", to: "\(folder)/back-{host}")
        XCTAssertEqual(fetched.failures().count, 0)
        for (host, result) in fetched.successful() {
            XCTAssertEqual(result.sha1sum, sha)
            XCTAssertEqual(try sha1sum("\(folder)/back-\(host)"), sha)
        }
        await group.close()
    }

    func testKilledTunnelErrorsAloneAndReconnects() async throws {
        let group = try makeGroup(["web1", "web2", "web3"])
        _ = await group.connect()
        // web2's agent kills its own connection's processes in the middle of the command.
        let result = await group.run(
            "if [ \"$(echo $SSH_CONNECTION | cut -d' ' -f3)\" = 127.0.0.3 ]; then "
                + "kill -9 $PPID; sleep 5; fi; echo done")
        XCTAssertEqual(result.successful().map(\.host), ["web1", "web3"])
        XCTAssertEqual(result.failures().map(\.host), ["web2"])
        XCTAssertEqual(result[1].error?.kind, .connection)
        let again = await group.run("echo again")
        XCTAssertEqual(again.successful().map(\.host), ["web1", "web2", "web3"])
        await group.close()
        await assertNoStrayChildren()
    }

    func testFetchTemplateMustSeparateHosts() async throws {
        let group = try makeGroup(["web1", "web2"])
        let folder = try temporaryFolder(self)
        let result = await group.fetch("/etc/hostname", to: "\(folder)/same-file")
        XCTAssertEqual(result.failures().count, 2)
        XCTAssertTrue(result[0].error?.msg.contains("{host}") == true)
        await group.close()
    }

    func testSetOperationsShareTunnels() throws {
        let all = try makeGroup(["web1", "web2", "web3"])
        let some = all.subset(["web2", "web3"])
        XCTAssertEqual((all - some).names, ["web1"])
        XCTAssertEqual((all & some).names, ["web2", "web3"])
        XCTAssertEqual((some | all).names, ["web2", "web3", "web1"])
        let other = try makeGroup(["web3", "web4"])
        XCTAssertEqual((some ^ other).names, ["web2", "web4"])
        var grown = some
        XCTAssertThrowsError(try grown.add(all.tunnels[1]))
        grown.remove(["web2"])
        XCTAssertEqual(grown.names, ["web3"])
    }

    func testFanoutLimitStillCompletesEveryHost() async throws {
        var group = try makeGroup(["web1", "web2", "web3", "web4"])
        group.fanout = 1
        let result = await group.run("hostname")
        XCTAssertEqual(result.successful().count, 4)
        await group.close()
    }

    func testSudoOnTheFarSide() async throws {
        let fleet = try requireFleet()
        let tunnel = Tunnel(try SSH("web1", sudo: true, configFile: fleet.configFile))
        let result = try await tunnel.run("id -u")
        XCTAssertEqual(result.stdoutText, "0\n")
        await tunnel.close()
    }
}
