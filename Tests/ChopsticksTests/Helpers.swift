import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Waits (bounded) until no stray child process or zombie is left, then asserts it. A child killed as its host
/// failed is reaped by a poll of its own, which may still be running when the test gets its answer.
func assertNoStrayChildren(file: StaticString = #filePath, line: UInt = #line) async {
    // Polls with Task.sleep, not `eventually`: this runs on the cooperative pool, which must not be blocked.
    var stray = ProcessTree.strayChildren()
    for _ in 0..<50 where !stray.isEmpty || !ProcessTree.zombies().isEmpty {
        try? await Task.sleep(for: .milliseconds(100))
        stray = ProcessTree.strayChildren()
    }
    XCTAssertEqual(stray, [], "processes left running", file: file, line: line)
    XCTAssertEqual(ProcessTree.zombies(), [], "zombie children", file: file, line: line)
}

/// Writes `size` pseudo-random bytes to `path` in chunks and returns the file's SHA-1 as sha1sum prints it.
@discardableResult
func writeRandomFile(_ path: String, size: Int) throws -> String {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path))
    let random = try XCTUnwrap(FileHandle(forReadingAtPath: "/dev/urandom"))
    var remaining = size
    while remaining > 0 {
        let chunk = try random.read(upToCount: min(remaining, 1 << 20)) ?? Data()
        try handle.write(contentsOf: chunk)
        remaining -= chunk.count
    }
    try handle.close()
    try random.close()
    return try sha1sum(path)
}

/// The system's sha1sum of a file: an independent check of the library's own checksums.
func sha1sum(_ path: String) throws -> String {
    let output = try Command.run(["sha1sum", path]).output
    return output.split(separator: " ").first.map(String.init) ?? ""
}

/// A tunnel state's case without its message (`needsPassword`): the library's states carry no display words,
/// which are the shell's (`MemberState`).
func stateCase(_ state: Tunnel.State) -> String {
    String(String(describing: state).prefix { $0 != "(" })
}

/// A 1 MiB tmpfs at `mountPoint` (made if missing), unmounted when the test ends: a disk that fills half-way
/// through a transfer. Skips (through `require`) where this run cannot mount.
func mountSmallDisk(_ mountPoint: String, for test: XCTestCase) throws {
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
    try require(
        try Command.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", mountPoint]).status == 0
            ? nil : "cannot mount a small tmpfs here (needs root): no full disk to test with")
    test.addTeardownBlock { _ = try? Command.run(["umount", mountPoint]) }
}
