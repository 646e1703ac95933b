import Foundation
import TestSupport
import XCTest

/// Oracle tests run the real tool (`ansible-inventory`, `nodeset`) that `.ci/run` installs: missing, the test
/// is skipped with the reason, except in CI, where it fails. (The lead's `require` does the same on main.)
func requireTool(_ command: String, install: String) throws {
    guard (try? Command.run(["sh", "-c", "command -v \(command) >/dev/null"]).status) != 0 else { return }
    let reason = "\(command) is not installed (\(install))"
    if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("missing in CI (CI must provide it): \(reason)") }
    throw XCTSkip(reason)
}
