import Foundation
import XCTest

/// The shared loopback sshd fleet; skips the test (with the reason) where sshd cannot run, except in CI,
/// where a missing fleet is a failure: CI installs it.
public func requireFleet() throws -> SSHFleet {
    switch SSHFleet.shared {
    case .success(let fleet):
        return fleet
    case .failure(let error):
        if ProcessInfo.processInfo.environment["CI"] != nil {
            XCTFail("the sshd fleet must run in CI: \(error.reason)")
        }
        throw XCTSkip("sshd fleet unavailable: \(error.reason)")
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
    guard SSHFleet.sudoUserExists else {
        if ProcessInfo.processInfo.environment["CI"] != nil {
            XCTFail("CI must create user \(SSHFleet.sudoUser) with .ci/sudo-user-up")
        }
        throw XCTSkip("no user \(SSHFleet.sudoUser): run .ci/sudo-user-up as root to test sudo passwords")
    }
    return fleet
}
