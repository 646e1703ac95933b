import Foundation
import TestSupport
import XCTest

/// Tab on a remote path argument asks a live member; on a local one it reads this machine.
extension InteractiveTests {
    func testTabCompletesRemotePathsThroughALiveMember() throws {
        let (tmux, _) = try startChop()
        // A folder only the remote side lists (the implicit member is this machine, reached through its agent).
        let folder = try temporaryFolder(self)
        try "x".write(toFile: "\(folder)/remote-only-file.conf", atomically: true, encoding: .utf8)
        try tmux.type("ping")
        var (found, screen) = tmux.wait(for: "1 host: 1 ok")
        XCTAssertTrue(found, screen)
        try tmux.send("fetch \(folder)/remote-o", "Tab")
        (found, screen) = tmux.wait(for: "fetch \(folder)/remote-only-file.conf")
        XCTAssertTrue(found, screen)
        try tmux.send("C-u")
        try tmux.send("last %", "Tab")
        (found, screen) = tmux.wait(for: "last %1")
        XCTAssertTrue(found, screen)
    }
}
