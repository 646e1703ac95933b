import Foundation
import XCTest

/// Golden output kept in a file: `__Snapshots__/<test file>/<name>.txt` beside the test, one rendered line per
/// line. With `CHOP_RECORD_SNAPSHOTS=1` in the environment the files are written anew (and the test fails, so a
/// recording run never passes by accident); review the change with `git diff`.
func assertSnapshot(
    _ lines: [String], named name: String, file: StaticString = #filePath, line: UInt = #line
) {
    let source = URL(fileURLWithPath: "\(file)")
    let folder = source.deletingLastPathComponent().appendingPathComponent("__Snapshots__")
        .appendingPathComponent(source.deletingPathExtension().lastPathComponent)
    let path = folder.appendingPathComponent("\(name).txt")
    let text = lines.map { $0 + "\n" }.joined()
    if ProcessInfo.processInfo.environment["CHOP_RECORD_SNAPSHOTS"] == "1" {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertNoThrow(try text.write(to: path, atomically: true, encoding: .utf8), file: file, line: line)
        XCTFail("recorded snapshot \(path.path); run again without CHOP_RECORD_SNAPSHOTS", file: file, line: line)
        return
    }
    guard let expected = try? String(contentsOf: path, encoding: .utf8) else {
        XCTFail("no snapshot \(path.path); record it with CHOP_RECORD_SNAPSHOTS=1", file: file, line: line)
        return
    }
    if text != expected {
        let diff = UnifiedDiffForTests.lines(expected: expected, actual: text)
        XCTFail("\(name) differs from its snapshot:\n\(diff)", file: file, line: line)
    }
}

/// Just enough of a line comparison to show where a snapshot and the output part.
enum UnifiedDiffForTests {
    static func lines(expected: String, actual: String) -> String {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for index in 0..<max(old.count, new.count) {
            let a = index < old.count ? String(old[index]) : "<none>"
            let b = index < new.count ? String(new[index]) : "<none>"
            if a != b { out += ["line \(index + 1):", "- \(a)", "+ \(b)"] }
        }
        return out.joined(separator: "\n")
    }
}
