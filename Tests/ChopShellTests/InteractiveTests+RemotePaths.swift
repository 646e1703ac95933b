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

    /// A host's folder holds a name with a space and one with a terminal escape: Tab drops the second and
    /// inserts the first escaped, as one word.
    func testTabOnHostileRemoteNamesInsertsOneEscapedWord() throws {
        let (tmux, _) = try startChop()
        let folder = try temporaryFolder(self)
        for name in ["evil name.conf", "evil\u{1B}]0;pwned\u{07}.conf"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: "\(folder)/\(name)", contents: Data("x".utf8)))
        }
        try tmux.type("ping")
        var (found, screen) = tmux.wait(for: "1 host: 1 ok")
        XCTAssertTrue(found, screen)
        try tmux.send("fetch \(folder)/ev", "Tab")
        (found, screen) = tmux.wait(for: "fetch \(folder)/evil\\ name.conf")
        XCTAssertTrue(found, screen)
        XCTAssertFalse(screen.contains("pwned"), screen)
        try tmux.send("C-u")
    }
}
