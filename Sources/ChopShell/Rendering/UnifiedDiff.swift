/// A line diff in the unified format of `diff -u`, for comparing what two hosts (or two runs) printed.
///
/// "Why does web07 differ?" is the question that follows a table with two groups; a unified diff answers it in the
/// format every operator already reads. The edit script is Myers' O(ND) algorithm in its linear-space form
/// (divide and conquer on the middle snake), so the diff is minimal and memory stays proportional to the input
/// even for outputs of many thousand lines. Only for inputs that differ almost everywhere (a very large edit
/// distance) does it give up on minimality for a region and report it as removed-then-added, so a pathological
/// comparison cannot hang the shell.
///
/// Output follows GNU diff: `--- a` / `+++ b` headers, hunks `@@ -l,s +l,s @@` (`,s` omitted when s is 1; an empty
/// range names the line before it), `context` unchanged lines around each change, hunks merged when their context
/// would touch, and within a changed region all removals before all additions. Identical inputs give **no lines**,
/// as `diff` prints nothing; the caller says "no differences" in its own words.
///
/// Lines are host output, so each one is passed through `TerminalText.sanitize`; a "\r" is compared and shown
/// (as `^M`) rather than dropped, because a line-ending difference is a real difference. Note that sanitizing
/// turns a tab into a space, so a tab-versus-space change shows as two lines that look alike.
public struct UnifiedDiff: Sendable {
    /// Unchanged lines shown before and after each change.
    public var context: Int
    /// Colour removals red, additions green, hunk headers cyan and file headers bold, as `git diff` does.
    public var color: Bool

    public init(context: Int = 3, color: Bool = false) {
        self.context = max(0, context)
        self.color = color
    }

    /// Half the edit distance up to which a region is diffed minimally; beyond it the region is reported as
    /// replaced. Bounds the work of one middle-snake search to roughly this squared.
    static let maximumSearchDepth = 4096

    /// Compares two texts line by line (split at "\n").
    ///
    /// A missing newline at the end of either text is a difference, marked `\ No newline at end of file` after
    /// the line concerned, as in GNU diff.
    public func diff(_ old: String, _ new: String, oldName: String = "a", newName: String = "b") -> [String] {
        render(Self.split(old), Self.split(new), oldName: oldName, newName: newName)
    }

    /// Compares two lists of lines (each line without its newline).
    public func diff(lines old: [String], _ new: [String], oldName: String = "a", newName: String = "b") -> [String] {
        render(
            old.map { Line(text: $0, terminated: true) }, new.map { Line(text: $0, terminated: true) },
            oldName: oldName, newName: newName)
    }

    // MARK: - Edit script

    /// One step of the edit script, with indexes into the old and new line arrays.
    enum Edit: Equatable {
        case equal(old: Int, new: Int)
        case delete(old: Int)
        case insert(new: Int)
    }

    /// A minimal edit script turning `old` into `new`, with removals before additions in every changed region.
    ///
    /// `depthLimit` exists for tests of the give-up path; callers use the default.
    static func edits<Element: Hashable>(
        _ old: [Element], _ new: [Element], depthLimit: Int = maximumSearchDepth
    ) -> [Edit] {
        // Comparing small integers is much cheaper than comparing long strings in the inner loops.
        var ids: [Element: Int] = [:]
        func intern(_ elements: [Element]) -> [Int] {
            elements.map { element in
                if let id = ids[element] {
                    return id
                }
                let id = ids.count
                ids[element] = id
                return id
            }
        }
        let a = intern(old)
        let b = intern(new)
        var myers = Myers(a: a, b: b, depthLimit: max(1, depthLimit))
        myers.diff(0, a.count, 0, b.count)
        return removalsFirst(myers.edits)
    }

    /// Reorders each run of changes so removals precede additions; within a run they are independent, and this
    /// is the order people expect to read a replacement in.
    private static func removalsFirst(_ edits: [Edit]) -> [Edit] {
        var result: [Edit] = []
        result.reserveCapacity(edits.count)
        var deletes: [Edit] = []
        var inserts: [Edit] = []
        func flush() {
            result += deletes
            result += inserts
            deletes.removeAll()
            inserts.removeAll()
        }
        for edit in edits {
            switch edit {
            case .equal:
                flush()
                result.append(edit)
            case .delete: deletes.append(edit)
            case .insert: inserts.append(edit)
            }
        }
        flush()
        return result
    }

    /// Linear-space Myers: trims common ends, finds the middle snake of the rest, and recurses on both halves.
    private struct Myers {
        let a: [Int]
        let b: [Int]
        let depthLimit: Int
        var edits: [Edit] = []

        init(a: [Int], b: [Int], depthLimit: Int) {
            self.a = a
            self.b = b
            self.depthLimit = depthLimit
            edits.reserveCapacity(a.count + b.count)
        }

        mutating func diff(_ aStart: Int, _ aEnd: Int, _ bStart: Int, _ bEnd: Int) {
            var aLow = aStart
            var bLow = bStart
            var aHigh = aEnd
            var bHigh = bEnd
            while aLow < aHigh, bLow < bHigh, a[aLow] == b[bLow] {
                edits.append(.equal(old: aLow, new: bLow))
                aLow += 1
                bLow += 1
            }
            var suffix = 0
            while aLow < aHigh, bLow < bHigh, a[aHigh - 1] == b[bHigh - 1] {
                aHigh -= 1
                bHigh -= 1
                suffix += 1
            }

            if aLow == aHigh {
                for index in bLow..<bHigh {
                    edits.append(.insert(new: index))
                }
            } else if bLow == bHigh {
                for index in aLow..<aHigh {
                    edits.append(.delete(old: index))
                }
            } else if let (x, y) = middleSnake(aLow, aHigh, bLow, bHigh) {
                diff(aLow, x, bLow, y)
                diff(x, aHigh, y, bHigh)
            } else {
                for index in aLow..<aHigh {
                    edits.append(.delete(old: index))
                }
                for index in bLow..<bHigh {
                    edits.append(.insert(new: index))
                }
            }

            for offset in 0..<suffix {
                edits.append(.equal(old: aHigh + offset, new: bHigh + offset))
            }
        }

        /// The point where the forward and backward D-paths meet, as absolute indexes into `a` and `b`; nil when
        /// the regions have nothing in common or the search exceeds `depthLimit`.
        ///
        /// Both ranges are non-empty and differ in their first and last elements (the caller trimmed the common
        /// ends), which guarantees the split is strictly inside and the recursion terminates.
        private func middleSnake(_ aLow: Int, _ aHigh: Int, _ bLow: Int, _ bHigh: Int) -> (Int, Int)? {
            let n = aHigh - aLow
            let m = bHigh - bLow
            let maxD = min((n + m + 1) / 2, depthLimit)
            let offset = maxD
            let length = 2 * maxD
            var forward = [Int](repeating: -1, count: length + 1)
            var backward = [Int](repeating: -1, count: length + 1)
            forward[offset + 1] = 0
            backward[offset + 1] = 0
            let delta = n - m
            // With an odd delta the paths can only meet while extending forward, with an even one only backward.
            let checkForward = delta % 2 != 0
            var forwardStart = 0
            var forwardEnd = 0
            var backwardStart = 0
            var backwardEnd = 0

            for d in 0..<maxD {
                let forwardMeet = advance(
                    d, &forward, &forwardStart, &forwardEnd, n: n, m: m, offset: offset,
                    same: { x, y in a[aLow + x] == b[bLow + y] },
                    meet: { k, x, y in
                        guard checkForward else { return nil }
                        let other = offset + delta - k
                        guard other >= 0, other <= length, backward[other] != -1, x >= n - backward[other] else {
                            return nil
                        }
                        return (aLow + x, bLow + y)
                    })
                if let forwardMeet { return forwardMeet }
                let backwardMeet = advance(
                    d, &backward, &backwardStart, &backwardEnd, n: n, m: m, offset: offset,
                    same: { x, y in a[aHigh - x - 1] == b[bHigh - y - 1] },
                    meet: { k, x, _ in
                        guard !checkForward else { return nil }
                        let other = offset + delta - k
                        guard other >= 0, other <= length, forward[other] != -1, forward[other] >= n - x else {
                            return nil
                        }
                        return (aLow + forward[other], bLow + offset + forward[other] - other)
                    })
                if let backwardMeet { return backwardMeet }
            }
            return nil
        }

        /// One round `d` of one direction: extends the furthest path on each diagonal `k` (`v[offset + k]`
        /// holds its x) by an edit and then along equal elements (`same`), narrowing `start`/`end` when a path
        /// runs off the grid, and returns the split as soon as `meet` finds the other direction's path reached.
        private func advance(
            _ d: Int, _ v: inout [Int], _ start: inout Int, _ end: inout Int, n: Int, m: Int, offset: Int,
            same: (Int, Int) -> Bool, meet: (Int, Int, Int) -> (Int, Int)?
        ) -> (Int, Int)? {
            var k = -d + start
            while k <= d - end {
                let index = offset + k
                var x = k == -d || (k != d && v[index - 1] < v[index + 1]) ? v[index + 1] : v[index - 1] + 1
                var y = x - k
                while x < n, y < m, same(x, y) {
                    x += 1
                    y += 1
                }
                v[index] = x
                if x > n {
                    end += 2  // ran off the right edge
                } else if y > m {
                    start += 2  // ran off the bottom edge
                } else if let split = meet(k, x, y) {
                    return split
                }
                k += 2
            }
            return nil
        }
    }

    // MARK: - Formatting

    /// A line and whether a newline followed it; only a text's last line can lack one.
    struct Line: Hashable {
        var text: String
        var terminated: Bool
    }

    static func split(_ text: String) -> [Line] {
        guard !text.isEmpty else { return [] }
        var pieces = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false)
        let endsWithNewline = text.unicodeScalars.last == "\n"
        if endsWithNewline {
            pieces.removeLast()
        }
        let lastIndex = pieces.count - 1
        return pieces.enumerated().map { index, piece in
            Line(text: String(Substring(piece)), terminated: index < lastIndex || endsWithNewline)
        }
    }

    private func render(_ old: [Line], _ new: [Line], oldName: String, newName: String) -> [String] {
        let edits = Self.edits(old, new)
        let changes = edits.indices.filter { !Self.isEqual(edits[$0]) }
        guard let firstChange = changes.first else { return [] }

        // Hunks as ranges of the edit script: each change with `context` edits around it, merged when they touch.
        var hunks: [Range<Int>] = []
        var start = max(0, firstChange - context)
        var end = min(edits.count, firstChange + 1 + context)
        for change in changes.dropFirst() {
            if change - context <= end {
                end = min(edits.count, change + 1 + context)
            } else {
                hunks.append(start..<end)
                start = change - context
                end = min(edits.count, change + 1 + context)
            }
        }
        hunks.append(start..<end)

        var lines = [
            paint("--- " + TerminalText.sanitize(oldName), ResultRenderer.SGR.bold),
            paint("+++ " + TerminalText.sanitize(newName), ResultRenderer.SGR.bold),
        ]
        let noNewline = "\\ No newline at end of file"
        // Lines of each side before the current hunk, advanced from hunk to hunk.
        var oldBefore = 0
        var newBefore = 0
        var cursor = 0
        for hunk in hunks {
            let slice = edits[hunk]
            for edit in edits[cursor..<hunk.lowerBound] {
                switch edit {
                case .equal:
                    oldBefore += 1
                    newBefore += 1
                case .delete: oldBefore += 1
                case .insert: newBefore += 1
                }
            }
            cursor = hunk.lowerBound
            let oldCount = slice.count { !Self.isInsert($0) }
            let newCount = slice.count { !Self.isDelete($0) }
            let header = "@@ -\(Self.range(oldBefore, oldCount)) +\(Self.range(newBefore, newCount)) @@"
            lines.append(paint(header, ResultRenderer.SGR.cyan))
            for edit in slice {
                switch edit {
                case .equal(let oldIndex, _):
                    lines.append(" " + TerminalText.sanitize(old[oldIndex].text))
                    if !old[oldIndex].terminated {
                        lines.append(noNewline)
                    }
                case .delete(let oldIndex):
                    lines.append(paint("-" + TerminalText.sanitize(old[oldIndex].text), ResultRenderer.SGR.red))
                    if !old[oldIndex].terminated {
                        lines.append(noNewline)
                    }
                case .insert(let newIndex):
                    lines.append(paint("+" + TerminalText.sanitize(new[newIndex].text), ResultRenderer.SGR.green))
                    if !new[newIndex].terminated {
                        lines.append(noNewline)
                    }
                }
            }
        }
        return lines
    }

    private static func isEqual(_ edit: Edit) -> Bool {
        if case .equal = edit { return true }
        return false
    }

    private static func isInsert(_ edit: Edit) -> Bool {
        if case .insert = edit { return true }
        return false
    }

    private static func isDelete(_ edit: Edit) -> Bool {
        if case .delete = edit { return true }
        return false
    }

    /// `l,s` of a hunk header: 1-based first line, `,s` omitted when s is 1, and for an empty range the number of
    /// the line before it (0 at the start of the file).
    private static func range(_ before: Int, _ count: Int) -> String {
        switch count {
        case 0: return "\(before),0"
        case 1: return "\(before + 1)"
        default: return "\(before + 1),\(count)"
        }
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? code + text + ResultRenderer.SGR.reset : text
    }
}
