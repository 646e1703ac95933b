import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// `{host}` in `run`, `put` and `fetch` through a session, on Local members and on the loopback sshd fleet.
final class HostTemplateSessionTests: SessionTestCase {
    /// A host's exact stdout in the last result.
    private func shown(_ host: String) async -> String {
        await session.lastReport?.outcomes.first { $0.host == host }?.output ?? "?"
    }

    func testRunPutAndFetchTakeEachMembersNameOnLocalMembers() async throws {
        let folder = try temporaryFolder(self)
        await run("add local a")
        await run("add local b")
        var step = await run("run echo {host}")
        XCTAssertEqual(step.result, .ok)
        let (outA, outB) = (await shown("a"), await shown("b"))
        XCTAssertEqual([outA, outB], ["a\n", "b\n"])
        // Other braces stay as typed; {{ and }} are single braces.
        await run("run echo x y | awk '{print $2}'; echo {{host}} '{{' '}}'")
        let literal = await shown("a")
        XCTAssertEqual(literal, "y\n{host} { }\n")

        try "payload".write(toFile: "\(folder)/in", atomically: true, encoding: .utf8)
        step = await run("put \(folder)/in \(folder)/out-{host}.conf")
        XCTAssertEqual(step.result, .ok, "\(step)")
        for host in ["a", "b"] {
            XCTAssertEqual(try String(contentsOfFile: "\(folder)/out-\(host).conf", encoding: .utf8), "payload")
        }
        step = await run("fetch \(folder)/out-{{host}}.conf \(folder)/back-{host}")
        XCTAssertEqual(step.result, .hostsFailed, "the remote path of fetch is not a template")
        step = await run("fetch \(folder)/out-a.conf \(folder)/{{host}}")
        XCTAssertEqual(step.err.first?.contains("must contain {host}"), true, "\(step.err)")
    }

    func testAHostNameThatNeedsQuotingIsOneWordForTheShell() async throws {
        await run("add local 'x;echo'")
        await run("add local \"it's\"")
        let step = await run("run printf '[%s]' {host}")
        XCTAssertEqual(step.result, .ok, "\(step)")
        let (first, second) = (await shown("x;echo"), await shown("it's"))
        XCTAssertEqual([first, second], ["[x;echo]", "[it's]"])
    }

    func testRunAndPutOnTheLoopbackFleet() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        await run("add web1 web2")
        var step = await run("run echo {host} $SSH_CONNECTION | cut -d' ' -f1,4")
        XCTAssertEqual(step.result, .ok, "\(step)")
        let (one, two) = (await shown("web1"), await shown("web2"))
        XCTAssertEqual([one, two], ["web1 127.0.0.2\n", "web2 127.0.0.3\n"])
        try "fleet".write(toFile: "\(folder)/in", atomically: true, encoding: .utf8)
        step = await run("put \(folder)/in \(folder)/{host}.txt")
        XCTAssertEqual(step.result, .ok, "\(step)")
        for host in ["web1", "web2"] {
            XCTAssertEqual(try String(contentsOfFile: "\(folder)/\(host).txt", encoding: .utf8), "fleet")
        }
    }
}
