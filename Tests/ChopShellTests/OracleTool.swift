import Foundation
import TestSupport
import XCTest

/// Oracle tests run the real tool (`ansible-inventory`, `nodeset`) that `.ci/run` installs: missing, the test
/// is skipped with the reason, except in CI, where it fails (`require`).
func requireTool(_ command: String, install: String) throws {
    let found = (try? Command.run(["sh", "-c", "command -v \(command) >/dev/null"]).status) == 0
    try require(found ? nil : "\(command) is not installed (\(install))")
}
