import XCTest

@testable import ChopShell

/// Expected outputs were checked against GNU `diff -u --label a --label b`, which produces the same lines for all
/// the fixed cases below.
final class UnifiedDiffTests: XCTestCase {
    private let differ = UnifiedDiff()

    /// `a` … `n`, one per line, each followed by a newline.
    private static func letters(_ count: Int) -> [String] {
        (0..<count).map { String(UnicodeScalar(UInt8(ascii: "a") + UInt8($0))) }
    }

    private static func text(_ lines: [String]) -> String {
        lines.map { $0 + "\n" }.joined()
    }

    func testIdenticalInputsGiveNoLines() {
        XCTAssertEqual(differ.diff("a\nb\n", "a\nb\n"), [])
        XCTAssertEqual(differ.diff("", ""), [])
        XCTAssertEqual(differ.diff(lines: [], []), [])
        XCTAssertEqual(differ.diff(lines: ["x", "y"], ["x", "y"]), [])
    }

    func testOneChangedLineWithThreeLinesOfContext() {
        var new = Self.letters(10)
        new[4] = "E"
        XCTAssertEqual(
            differ.diff(lines: Self.letters(10), new),
            ["--- a", "+++ b", "@@ -2,7 +2,7 @@", " b", " c", " d", "-e", "+E", " f", " g", " h"])
    }

    func testChangesAtTheStartAndEnd() {
        let old = Self.letters(5)
        XCTAssertEqual(
            differ.diff(lines: old, ["new"] + old),
            ["--- a", "+++ b", "@@ -1,3 +1,4 @@", "+new", " a", " b", " c"])
        XCTAssertEqual(
            differ.diff(lines: old, old + ["new"]),
            ["--- a", "+++ b", "@@ -3,3 +3,4 @@", " c", " d", " e", "+new"])
        XCTAssertEqual(
            differ.diff(lines: old, Array(old.dropFirst())),
            ["--- a", "+++ b", "@@ -1,4 +1,3 @@", "-a", " b", " c", " d"])
        XCTAssertEqual(
            differ.diff(lines: old, Array(old.dropLast())),
            ["--- a", "+++ b", "@@ -2,4 +2,3 @@", " b", " c", " d", "-e"])
    }

    func testEmptySidesUseLineZero() {
        XCTAssertEqual(differ.diff("", "x\ny\n"), ["--- a", "+++ b", "@@ -0,0 +1,2 @@", "+x", "+y"])
        XCTAssertEqual(differ.diff("x\n", ""), ["--- a", "+++ b", "@@ -1 +0,0 @@", "-x"])
    }

    func testDistantChangesGetSeparateHunks() {
        var new = Self.letters(14)
        new[0] = "A"
        new[13] = "N"
        XCTAssertEqual(
            differ.diff(lines: Self.letters(14), new),
            [
                "--- a", "+++ b",
                "@@ -1,4 +1,4 @@", "-a", "+A", " b", " c", " d",
                "@@ -11,4 +11,4 @@", " k", " l", " m", "-n", "+N",
            ])
    }

    func testChangesSixLinesApartShareAHunk() {
        // Six unchanged lines between two changes: the two contexts of three touch, so GNU diff merges them.
        var new = Self.letters(8)
        new[0] = "A"
        new[7] = "H"
        XCTAssertEqual(
            differ.diff(lines: Self.letters(8), new),
            ["--- a", "+++ b", "@@ -1,8 +1,8 @@", "-a", "+A", " b", " c", " d", " e", " f", " g", "-h", "+H"])
        // Seven apart: separate hunks.
        var longer = Self.letters(9)
        longer[0] = "A"
        longer[8] = "I"
        XCTAssertEqual(
            differ.diff(lines: Self.letters(9), longer),
            [
                "--- a", "+++ b", "@@ -1,4 +1,4 @@", "-a", "+A", " b", " c", " d",
                "@@ -6,4 +6,4 @@", " f", " g", " h", "-i", "+I",
            ])
    }

    func testReplacedBlockListsRemovalsBeforeAdditions() {
        XCTAssertEqual(
            differ.diff(lines: ["keep", "x1", "x2", "x3", "end"], ["keep", "y1", "y2", "end"]),
            ["--- a", "+++ b", "@@ -1,5 +1,4 @@", " keep", "-x1", "-x2", "-x3", "+y1", "+y2", " end"])
    }

    func testMissingFinalNewlineIsADifference() {
        XCTAssertEqual(
            differ.diff("a\nb", "a\nb\n"),
            ["--- a", "+++ b", "@@ -1,2 +1,2 @@", " a", "-b", "\\ No newline at end of file", "+b"])
        XCTAssertEqual(
            differ.diff("a\nb\n", "a\nc"),
            ["--- a", "+++ b", "@@ -1,2 +1,2 @@", " a", "-b", "+c", "\\ No newline at end of file"])
        XCTAssertEqual(
            differ.diff("x\nsame", "y\nsame"),
            ["--- a", "+++ b", "@@ -1,2 +1,2 @@", "-x", "+y", " same", "\\ No newline at end of file"])
        XCTAssertEqual(differ.diff("a", "a"), [])
    }

    func testNamesContextAndColour() {
        XCTAssertEqual(
            UnifiedDiff(context: 0).diff(
                lines: Self.letters(5), ["a", "b", "C", "d", "e"], oldName: "web1", newName: "web2"),
            ["--- web1", "+++ web2", "@@ -3 +3 @@", "-c", "+C"])
        XCTAssertEqual(
            UnifiedDiff(context: 0).diff(lines: ["a", "b"], ["a", "x", "b"]),
            ["--- a", "+++ b", "@@ -1,0 +2 @@", "+x"])
        XCTAssertEqual(
            UnifiedDiff(context: 1, color: true).diff(lines: ["a", "b"], ["a", "c"]),
            [
                "\u{1B}[1m--- a\u{1B}[0m", "\u{1B}[1m+++ b\u{1B}[0m", "\u{1B}[36m@@ -1,2 +1,2 @@\u{1B}[0m", " a",
                "\u{1B}[31m-b\u{1B}[0m", "\u{1B}[32m+c\u{1B}[0m",
            ])
    }

    func testHostTextIsSanitized() {
        let lines = differ.diff("title\n", "\u{1B}]0;pwned\u{07}\r\n", oldName: "web1\u{1B}[2J", newName: "web2")
        XCTAssertEqual(lines, ["--- web1^[[2J", "+++ web2", "@@ -1 +1 @@", "-title", "+^[]0;pwned^G^M"])
        XCTAssertFalse(lines.contains { $0.utf8.contains(0x1B) || $0.utf8.contains(0x07) })
    }

    // MARK: - Properties

    func testEditScriptsAreValidAndMinimal() {
        var random = SplitMix(seed: 7)
        for trial in 0..<3000 {
            let alphabet = 1 + random.next(5)
            let old = (0..<random.next(12)).map { _ in random.next(alphabet) }
            let new = (0..<random.next(12)).map { _ in random.next(alphabet) }
            let edits = UnifiedDiff.edits(old, new)
            XCTAssertTrue(Self.isValid(edits, old, new), "trial \(trial): \(old) → \(new)")
            let kept = edits.count { if case .equal = $0 { return true } else { return false } }
            XCTAssertEqual(kept, Self.longestCommonSubsequence(old, new), "trial \(trial): \(old) → \(new)")

            // Applying the rendered hunks to the old lines must give the new lines, for any context.
            let oldLines = old.map(String.init)
            let newLines = new.map(String.init)
            let rendered = UnifiedDiff(context: trial % 4).diff(lines: oldLines, newLines)
            XCTAssertEqual(Self.apply(rendered, to: oldLines), newLines, "trial \(trial): \(rendered)")
        }
    }

    func testGivingUpOnALargeSearchStillGivesAValidScript() {
        var random = SplitMix(seed: 11)
        for _ in 0..<500 {
            let old = (0..<random.next(30)).map { _ in random.next(4) }
            let new = (0..<random.next(30)).map { _ in random.next(4) }
            XCTAssertTrue(Self.isValid(UnifiedDiff.edits(old, new, depthLimit: 1 + random.next(3)), old, new))
        }
    }

    func testLargeInputsAreFast() {
        let old = (0..<50_000).map { "line \($0)" }
        var new = old
        for index in stride(from: 0, to: new.count, by: 1_000) {
            new[index] = "changed \(index)"
        }
        let unrelated = (0..<20_000).map { "other \($0)" }
        let start = ContinuousClock.now
        let lines = differ.diff(lines: old, new)
        XCTAssertEqual(lines.filter { $0.hasPrefix("@@") }.count, 50)
        XCTAssertEqual(differ.diff(lines: old, unrelated).count, 2 + 1 + 50_000 + 20_000)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(20))
    }

    // MARK: - Helpers

    /// Deterministic pseudo-random numbers, so a failure can be reproduced.
    private struct SplitMix {
        var state: UInt64

        init(seed: UInt64) {
            state = seed
        }

        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    private static func isValid(_ edits: [UnifiedDiff.Edit], _ old: [Int], _ new: [Int]) -> Bool {
        var oldIndex = 0
        var newIndex = 0
        for edit in edits {
            switch edit {
            case .equal(let o, let n):
                guard o == oldIndex, n == newIndex, old[o] == new[n] else { return false }
                oldIndex += 1
                newIndex += 1
            case .delete(let o):
                guard o == oldIndex else { return false }
                oldIndex += 1
            case .insert(let n):
                guard n == newIndex else { return false }
                newIndex += 1
            }
        }
        return oldIndex == old.count && newIndex == new.count
    }

    private static func longestCommonSubsequence(_ a: [Int], _ b: [Int]) -> Int {
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0..<a.count {
            for j in 0..<b.count {
                table[i + 1][j + 1] = a[i] == b[j] ? table[i][j] + 1 : max(table[i][j + 1], table[i + 1][j])
            }
        }
        return table[a.count][b.count]
    }

    /// A minimal `patch`: applies unified-diff hunks to `old`, checking every context and removed line.
    private static func apply(_ diff: [String], to old: [String]) -> [String]? {
        var result: [String] = []
        var position = 0
        for line in diff.dropFirst(2) {
            if line.hasPrefix("@@ -") {
                let range = line.dropFirst(4).prefix { $0 != " " }.split(separator: ",")
                guard let first = Int(range[0]) else { return nil }
                let count = range.count > 1 ? Int(range[1]) ?? 0 : 1
                let start = count == 0 ? first : first - 1
                guard start >= position, start <= old.count else { return nil }
                result += old[position..<start]
                position = start
                continue
            }
            let text = String(line.dropFirst())
            switch line.first {
            case " ", "-":
                guard position < old.count, old[position] == text else { return nil }
                if line.first == " " {
                    result.append(text)
                }
                position += 1
            case "+":
                result.append(text)
            default:
                return nil
            }
        }
        return result + old[position...]
    }
}
