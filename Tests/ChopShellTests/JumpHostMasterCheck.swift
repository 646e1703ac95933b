import Chopsticks
import Foundation
import TestSupport
import XCTest

/// The shared master chop opens to `leaf`'s jump host ends with chop: no process mentions the ssh config or the
/// master's socket within 10 s. The master renames itself after its socket, so both are looked for.
func assertTheJumpHostsMasterEnds(
    _ leaf: SSH, config: String, file: StaticString = #filePath, line: UInt = #line
) throws {
    let socket = try XCTUnwrap(ControlMaster.folder) + "/" + ControlMaster.hopPrefix(leaf)
    XCTAssertTrue(
        eventually(timeout: 10) {
            ProcessTree.processesMentioning(config).isEmpty && ProcessTree.processesMentioning(socket).isEmpty
        },
        "the jump host's master ends with chop: \(ProcessTree.processesMentioning(config)) "
            + "\(ProcessTree.processesMentioning(socket))", file: file, line: line)
}
