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
}
