import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Leaves behind an SSH gateway on the loopback sshd: the gateway (alias web1) runs its own ssh to each leaf,
/// and a leaf's host-key and sudo states reach the controller as they do for a direct member.
final class GatewaySSHTests: XCTestCase {
    func testSSHLeavesBehindAnAliasGateway() async throws {
        let fleet = try requireFleet()
        let gateway = Tunnel(try fleet.ssh("web1"), connectTimeout: 15)
        let leaves = try ["web2", "web3", "web4"].map {
            Tunnel(try GatewayLeaf(try fleet.ssh($0), gateways: [gateway]), connectTimeout: 15)
        }
        let unknown = Tunnel(
            try GatewayLeaf(
                try SSH(
                    "web2", options: ["HostKeyAlias=chopnosuchkey"], configFile: fleet.configFile, name: "stranger"),
                gateways: [gateway]), connectTimeout: 15)
        let group = try Group(leaves + [unknown])
        let results = await group.run("echo $SSH_CONNECTION")
        for entry in results.prefix(3) {
            let text = try XCTUnwrap(entry.value, "\(entry)").stdoutText
            // Each leaf's sshd saw the gateway's ssh (from 127.0.0.x), not this process.
            XCTAssertTrue(text.hasPrefix("127.0.0."), text)
        }
        XCTAssertEqual(results[3].error?.kind, .unknownHostKey, "\(results[3])")
        XCTAssertEqual(stateCase(unknown.state), "unknownKey")
        // The leaves' agents are the gateway's grandchildren: this process started one ssh, the gateway's.
        let call = await group.subset(["web2", "web3", "web4"]).call("os.getppid")
        XCTAssertEqual(call.compactMap(\.value).count, 3, "\(call)")
        await group.close()
        await gateway.close()
        await assertNoStrayChildren()
    }

    func testALeafWhoseSudoAsksForAPasswordNeedsOne() async throws {
        let fleet = try requireSudoPasswordUser()
        let gateway = Tunnel(try fleet.ssh("web1"), connectTimeout: 15)
        let leaf = Tunnel(
            try GatewayLeaf(
                try SSH("sudopw", sudo: true, configFile: fleet.configFile, connectTimeout: 10), gateways: [gateway]),
            connectTimeout: 15)
        do {
            try await leaf.connect()
            XCTFail("sudo -n must not get through without a password")
        } catch let error as ErrorResult {
            XCTAssertEqual(error.kind, .needsPassword, error.msg)
        }
        XCTAssertEqual(stateCase(leaf.state), "needsPassword")
        await leaf.close()
        await gateway.close()
        await assertNoStrayChildren()
    }

    /// `forwardAgent`: the gateway's own ssh forwards the user's agent (ForwardAgent=yes) and a leaf whose key
    /// only that agent holds is reached through it; a leaf added without it gets no agent there and is refused.
    func testALeafReachedWithAKeyOnlyTheForwardedAgentHolds() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        XCTAssertEqual(
            try Command.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "\(folder)/agent_key"]).status, 0)
        let publicKey = try String(contentsOfFile: "\(folder)/agent_key.pub", encoding: .utf8)
        let authorized = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(fleet.directory)/authorized_keys"))
        authorized.seekToEndOfFile()
        authorized.write(Data(publicKey.utf8))
        try authorized.close()
        let socket = "\(folder)/agent.sock"
        let agentPID = try Command.start(["ssh-agent", "-D", "-a", socket])
        var agentRunning = true
        func stopAgent() {
            guard agentRunning else { return }
            agentRunning = false
            kill(agentPID, SIGTERM)
            var status: Int32 = 0
            waitpid(agentPID, &status, 0)
        }
        defer { stopAgent() }
        guard eventually(timeout: 10, { FileManager.default.fileExists(atPath: socket) }) else {
            return XCTFail("ssh-agent did not start")
        }
        setenv("SSH_AUTH_SOCK", socket, 1)
        defer { unsetenv("SSH_AUTH_SOCK") }
        XCTAssertEqual(try Command.run(["ssh-add", "-q", "\(folder)/agent_key"]).status, 0)
        // The leaf's ssh config names no key of its own: only an agent can log it in.
        let config = """
            Host agentleaf
                HostName 127.0.0.3
                Port \(fleet.port)
                HostKeyAlias chopfleet
                User root
                IdentityFile \(folder)/no_such_key
                UserKnownHostsFile \(fleet.directory)/known_hosts
                GlobalKnownHostsFile /dev/null
                StrictHostKeyChecking yes
                ControlMaster no

            """
        try config.write(toFile: "\(folder)/leaf_config", atomically: true, encoding: .utf8)
        let gateway = Tunnel(try fleet.ssh("web1"), connectTimeout: 15)
        let forwarded = Tunnel(
            try GatewayLeaf(
                try SSH("agentleaf", configFile: "\(folder)/leaf_config", name: "forwarded"), gateways: [gateway],
                forwardAgent: true), connectTimeout: 15)
        let keysOnly = Tunnel(
            try GatewayLeaf(
                try SSH("agentleaf", configFile: "\(folder)/leaf_config", name: "keys-only"), gateways: [gateway]),
            connectTimeout: 15)
        let argv = try XCTUnwrap(gateway.kind as? SSH).command(script: "true")
        XCTAssertTrue(argv.joined(separator: " ").contains("-o ForwardAgent=yes"), "\(argv)")
        let leafArgv = try XCTUnwrap((forwarded.kind as? GatewayLeaf)?.command(script: "true"))
        XCTAssertFalse(leafArgv.contains("ForwardAgent=yes"), "the leaf's own ssh forwards nothing: \(leafArgv)")
        let reached = try await forwarded.run("echo $SSH_CONNECTION")
        XCTAssertTrue(reached.stdoutText.hasPrefix("127.0.0."), reached.stdoutText)
        do {
            _ = try await keysOnly.run("true")
            XCTFail("a leaf added without forwardAgent got the user's agent on the gateway")
        } catch {
            XCTAssertEqual(stateCase(keysOnly.state), "down", "\(error)")
            XCTAssertTrue(ErrorResult(error).msg.contains("permission denied"), "\(error)")
        }
        await forwarded.close()
        await keysOnly.close()
        await gateway.close()
        stopAgent()
        await assertNoStrayChildren()
    }
}
