import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// An sshd at its default `MaxStartups` (10:30:100) that many members reach at once: it drops connections
/// beyond ten unauthenticated ones, and chop must still get every member through.
final class ConnectionStormTests: XCTestCase {
    /// `names` aliases, each `HostName address` at `port`, before the lines of `base`.
    private func config(
        _ base: String, folder: String, names: [String], address: (Int) -> String, port: Int
    ) throws -> String {
        let path = "\(folder)/storm_config"
        let aliases = names.enumerated().map { index, name in
            "Host \(name)\n    HostName \(address(index))\n    Port \(port)\n    HostKeyAlias chopfleet\n"
        }.joined()
        try (aliases + (try String(contentsOfFile: base, encoding: .utf8))).write(
            toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A session on the ssh config `path`, with no master of chop's own (each member's own connection is what
    /// the storm is made of) and room for retries.
    private func stormSession(_ path: String) -> Session {
        var settings = ShellSettings()
        settings.persist = nil
        settings.connectTimeout = 30  // a loaded CI machine: the retries need room, not speed
        return Session(settings: settings, io: RecordingIO().io, sshConfigFile: path)
    }

    func testEveryMemberGetsThroughAnSSHDAtTheDefaultMaxStartups() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let sshd = try RestartableSSHD(fleet: fleet)
        let names = (1...40).map { "storm\($0)" }
        let path = try config(
            sshd.configFile, folder: folder, names: names, address: { _ in "127.0.0.2" }, port: sshd.port)
        let session = stormSession(path)
        await expect(session, "add storm[1-40]", .ok)
        await expect(session, "run true", .ok)
        let infos = await session.members()
        XCTAssertEqual(infos.filter { $0.state.hasPrefix("up") }.count, 40, "\(infos.filter { $0.down })")
        // Whoever was dropped says so: in hosts, and in its log with ssh's reason.
        for info in infos where info.state.contains("retried") {
            let log = await session.group[info.name]?.stderr.lines ?? []
            XCTAssertTrue(log.contains { $0.contains("dropped the connection before authentication") }, "\(log)")
        }
        await session.close()
    }

    /// Members behind one jump host share one connection to it: the bastion (at the default MaxStartups)
    /// sees a single connection from chop, however many members go through it.
    func testAJumpHostSeesOneConnectionForAllItsMembers() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let bastion = try RestartableSSHD(fleet: fleet)
        let names = (1...20).map { "leaf\($0)" }
        var base = try String(contentsOfFile: fleet.sharingConfigFile, encoding: .utf8)
        base =
            "Host restartable\n    HostName 127.0.0.2\n    Port \(bastion.port)\n    HostKeyAlias chopfleet\n" + base
        try base.write(toFile: "\(folder)/base_config", atomically: true, encoding: .utf8)
        let path = try config(
            "\(folder)/base_config", folder: folder, names: names, address: { "127.0.0.\(2 + $0 % 4)" },
            port: fleet.port)
        let session = stormSession(path)
        await expect(session, "add leaf[1-20] --via restartable", .ok)
        await expect(session, "run true", .ok)
        let established = try Command.run([
            "ss", "-tnH", "state", "established", "dst", "127.0.0.2:\(bastion.port)",
        ]).output.split(whereSeparator: \.isNewline)
        XCTAssertEqual(established.count, 1, "one connection to the bastion: \(established)")
        await session.close()
        try assertTheJumpHostsMasterEnds(try SSH("leaf1", configFile: path, via: ["restartable"]), config: path)
    }
}
