/// Typo suggestions: the closest command, setting or topic to a mistyped word.
enum Suggestion {
    /// The closest candidate when `word` looks like a typo of it: one edit away for words of up to three
    /// characters, two edits for longer ones (a swap of neighbours counts as one edit).
    /// Case is ignored, so `RUN` suggests `run`.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let length = word.count
        let limit = length <= 3 ? 1 : 2
        let lowered = word.lowercased()
        var best: (name: String, distance: Int)?
        // Lengths further apart than the limit cannot be within it: a pasted line of thousands of characters is
        // refused at once instead of being compared, quadratically, with every command.
        for candidate in candidates where candidate != word && abs(candidate.count - length) <= limit {
            let distance = editDistance(lowered, candidate)
            if distance <= limit, distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs)
        let b = Array(rhs)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var table = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { table[i][0] = i }
        for j in 0...b.count { table[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, table[i - 2][j - 2] + 1)
                }
                table[i][j] = value
            }
        }
        return table[a.count][b.count]
    }

}
