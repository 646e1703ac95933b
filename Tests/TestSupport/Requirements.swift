import Foundation
import XCTest

/// Whether the tests run in CI (`CI` set, as `.ci/run` is started with `CI=true`).
public var runningInCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

/// A piece a test needs that CI installs or starts (an engine, an interpreter, a user, a tmpfs) is missing.
///
/// Thrown, not recorded: XCTest reports a thrown error as the test's failure, so in CI the test fails with the
/// reason instead of skipping, and no later line of the test runs.
public struct MissingInCI: Error, CustomStringConvertible {
    public let reason: String
    public var description: String { "missing in CI (CI must provide it): \(reason)" }
}

/// The one rule for every optional piece: when `missing` is nil, nothing happens; otherwise outside CI the test
/// is skipped with the reason, and in CI it fails with it. Every test that needs something beyond `swift test`
/// (the sshd fleet, tmux, Docker, podman, pyenv's interpreters, sudo, a tmpfs, the load test's switch) asks
/// through here, so `.ci/run` can demand zero skipped tests.
public func require(_ missing: String?) throws {
    guard let missing else { return }
    if runningInCI { throw MissingInCI(reason: missing) }
    throw XCTSkip(missing)
}

/// The shared loopback sshd fleet; skips the test (with the reason) where sshd cannot run, except in CI,
/// where a missing fleet is a failure: CI installs it.
public func requireFleet() throws -> SSHFleet {
    switch SSHFleet.shared {
    case .success(let fleet):
        return fleet
    case .failure(let error):
        try require("sshd fleet unavailable: \(error.reason)")
        preconditionFailure("require throws for a missing piece")
    }
}

/// A temporary folder removed at the end of the test.
public func temporaryFolder(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "chop-test-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// The fleet and its sudo account whose sudo asks for a password (made by `.ci/sudo-user-up`), or a skip
/// (a failure in CI, which must make it).
public func requireSudoPasswordUser() throws -> SSHFleet {
    let fleet = try requireFleet()
    try require(
        SSHFleet.sudoUserExists
            ? nil : "no user \(SSHFleet.sudoUser): run .ci/sudo-user-up as root to test sudo passwords")
    return fleet
}

/// A pyenv CPython `version` ("3.6": the newest 3.6.x installed), or a skip (a failure in CI, whose machines
/// have pyenv's interpreters under `$PYENV_ROOT`, default `/root/.pyenv`).
public func requirePyenvPython(_ version: String) throws -> String {
    let root = ProcessInfo.processInfo.environment["PYENV_ROOT"] ?? "/root/.pyenv"
    let versions = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/versions")) ?? []
    let match = versions.sorted().last(where: { $0.hasPrefix(version + ".") })
    try require(match == nil ? "CPython \(version) is not installed under \(root)/versions" : nil)
    return "\(root)/versions/\(match!)/bin/" + (version.hasPrefix("2") ? "python2" : "python3")
}
