import Foundation
import XCTest

@testable import ChopShell

final class KnownHostsTests: XCTestCase {
    /// A throwaway home directory with `.ssh/config` (plus included files), `.ssh/known_hosts` and `hosts`.
    private struct Fixture {
        let home: String
        var sshDirectory: String { home + "/.ssh" }
        var config: String { sshDirectory + "/config" }
        var knownHosts: String { sshDirectory + "/known_hosts" }
        var etcHosts: String { home + "/hosts" }
    }

    private func makeFixture() throws -> Fixture {
        let home = FileManager.default.temporaryDirectory
            .appendingPathComponent("chop-knownhosts-\(UUID().uuidString)").path
        let fixture = Fixture(home: home)
        let manager = FileManager.default
        try manager.createDirectory(atPath: fixture.sshDirectory + "/conf.d", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: home + "/elsewhere", withIntermediateDirectories: true)

        func write(_ path: String, _ text: String) throws {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        try write(
            fixture.config,
            """
            # user config
            Host alpha beta
                HostName 10.0.0.1
                User admin
            host=gamma
            HOST = delta\tepsilon
            Host *.corp !blocked web? zeta
            Include conf.d/*.conf
            Include extra
            Include \(home)/elsewhere/absolute.conf
            Include ~/.ssh/tilde.conf
            Include missing-file conf.d/nothing-*.conf
            Include loop
            Match host something
            Host alpha "quoted"
            """)
        try write(fixture.sshDirectory + "/conf.d/a.conf", "Host from-glob-a\n")
        try write(
            fixture.sshDirectory + "/conf.d/b.conf",
            "Host from-glob-b\n# relative to ~/.ssh, not conf.d\nInclude extra\n")
        try write(fixture.sshDirectory + "/conf.d/ignored.txt", "Host not-included\n")
        try write(fixture.sshDirectory + "/extra", "Host from-extra\n")
        try write(fixture.sshDirectory + "/tilde.conf", "Host from-tilde\n")
        try write(fixture.sshDirectory + "/loop", "Include loop\nHost looped\n")
        try write(home + "/elsewhere/absolute.conf", "Host from-absolute\n")
        try write(
            fixture.knownHosts,
            """
            # comment
            plain.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
            web1,192.168.1.10 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC
            [bastion.example.com]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA
            [10.0.0.5]:2200,[alt.example.com]:2200 ecdsa-sha2-nistp256 AAAAE2VjZHNh
            |1|JfKTdBh7rNbXkVAQCRp4OQoPfmI=|USECr3SWf1JUPsms5AqfD5QfxkM= ssh-rsa AAAAB3NzaC1yc2E
            *.wild.example.com ssh-rsa AAAAB3NzaC1yc2E
            !negated.example.com,positive.example.com ssh-rsa AAAAB3NzaC1yc2E
            @cert-authority *.example.com ssh-rsa AAAAB3NzaC1yc2E
            @revoked revoked.example.com ssh-rsa AAAAB3NzaC1yc2E

            web1 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB
            """)
        try write(
            fixture.etcHosts,
            """
            127.0.0.1\tlocalhost
            ::1     localhost ip6-localhost ip6-loopback
            # 10.9.9.9 commented-out
            192.168.1.10 web1 web1.lan   # trailing comment
            10.1.1.1 db1

            """)
        return fixture
    }

    private func removeFixture(_ fixture: Fixture) {
        try? FileManager.default.removeItem(atPath: fixture.home)
    }

    private let expectedAliases = [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "from-glob-a", "from-glob-b", "from-extra",
        "from-absolute", "from-tilde", "looped", "quoted",
    ]

    func testSSHConfigAliasesFollowIncludes() throws {
        let fixture = try makeFixture()
        defer { removeFixture(fixture) }
        XCTAssertEqual(KnownHostNames.sshConfigAliases(configFile: fixture.config, home: fixture.home), expectedAliases)
    }

    func testSSHConfigHomeDefaultsToParentOfSSHDirectory() throws {
        let fixture = try makeFixture()
        defer { removeFixture(fixture) }
        XCTAssertEqual(KnownHostNames.sshConfigAliases(configFile: fixture.config), expectedAliases)
    }

    func testKnownHosts() throws {
        let fixture = try makeFixture()
        defer { removeFixture(fixture) }
        XCTAssertEqual(
            KnownHostNames.knownHosts(file: fixture.knownHosts),
            [
                "plain.example.com", "web1", "192.168.1.10", "bastion.example.com", "10.0.0.5", "alt.example.com",
                "positive.example.com",
            ])
    }

    func testEtcHosts() throws {
        let fixture = try makeFixture()
        defer { removeFixture(fixture) }
        XCTAssertEqual(
            KnownHostNames.etcHosts(file: fixture.etcHosts),
            ["localhost", "ip6-localhost", "ip6-loopback", "web1", "web1.lan", "db1"])
    }

    func testAllIsOrderedUnionWithoutDuplicates() throws {
        let fixture = try makeFixture()
        defer { removeFixture(fixture) }
        XCTAssertEqual(
            KnownHostNames.all(home: fixture.home, etcHostsFile: fixture.etcHosts),
            expectedAliases + [
                "plain.example.com", "web1", "192.168.1.10", "bastion.example.com", "10.0.0.5", "alt.example.com",
                "positive.example.com", "localhost", "ip6-localhost", "ip6-loopback", "web1.lan", "db1",
            ])
    }

    func testMissingFilesGiveEmptyResults() {
        let missing = "/nonexistent-chop-test-\(UUID().uuidString)"
        XCTAssertEqual(KnownHostNames.sshConfigAliases(configFile: missing + "/config"), [])
        XCTAssertEqual(KnownHostNames.knownHosts(file: missing + "/known_hosts"), [])
        XCTAssertEqual(KnownHostNames.etcHosts(file: missing + "/hosts"), [])
        XCTAssertEqual(KnownHostNames.all(home: missing, etcHostsFile: missing + "/hosts"), [])
    }

    func testDirectoryInsteadOfFileGivesEmptyResult() throws {
        let fixture = try makeFixture()
        defer { removeFixture(fixture) }
        XCTAssertEqual(KnownHostNames.knownHosts(file: fixture.sshDirectory), [])
        XCTAssertEqual(KnownHostNames.sshConfigAliases(configFile: fixture.sshDirectory + "/conf.d"), [])
    }
}
