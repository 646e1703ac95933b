extension NodeSet {
    /// Folds host names into compact pattern notation exactly as ClusterShell's `nodeset -f` prints them: e.g.
    /// `["web01", "web02", "web03", "db1"]` → `db1,web[01-03]`.
    ///
    /// Each digit run of a name is a dimension; names that share their text around the digits form one pattern
    /// (`web%s`), and patterns are printed in the order of that text. A pattern's numbers fold into ranges: one
    /// dimension into one bracket; several dimensions into vectors (`r[1-2]n[1-3]`) by ClusterShell's own
    /// algorithm (merge vectors that differ in one dimension, larger vectors first), so the same names give the
    /// same text as `nodeset -f`. Numbers keep their padding as written, sorted as ClusterShell sorts them
    /// (shorter text first: `n[1,3,02]`), and a range joins only numbers of one padding (`web[09-10]`).
    ///
    /// `expand(fold(names))` yields the same set of names, provided no name contains `[`, `]`, `,` or surrounding
    /// whitespace (none of which occur in host names).
    public static func fold(_ names: [String]) -> String {
        var seen = Set<String>()
        var patterns: [[String]: [[Number]]] = [:]
        for name in names where seen.insert(name).inserted {
            let (literals, numbers) = tokenize(name)
            patterns[literals, default: []].append(numbers)
        }
        return patterns.sorted { $0.key.joined(separator: "%s") < $1.key.joined(separator: "%s") }
            .flatMap { literals, vectors in
                foldVectors(vectors).map { vector in
                    var text = literals[0]
                    for (field, literal) in zip(vector, literals.dropFirst()) { text += field.rendered + literal }
                    return text
                }
            }
            .joined(separator: ",")
    }

    /// Folds a pattern as `nodeset -f PATTERN` does: like `fold(expand(pattern))`, except that the negative
    /// numbers of a range stay numbers (`n[-5-5]`, where the names alone would fold to `n[0-5],n-[1-5]`).
    public static func fold(pattern: String) throws(NodeSetError) -> String {
        fold(try expand(pattern, minus: negativeMark))
    }

    /// Stands for the sign of a number written in a range while a pattern is folded; never in a host name.
    static let negativeMark: Character = "\u{1}"

    /// A number as written in a name: its value and its zero-padding width (0: written without a leading zero).
    struct Number: Hashable, Comparable {
        var value: Int
        var width: Int
        /// The length of `text`, kept for sorting.
        let length: Int

        init(value: Int, width: Int) {
            self.value = value
            self.width = width
            var digits = 1
            var rest = value.magnitude
            while rest >= 10 {
                rest /= 10
                digits += 1
            }
            length = max(digits, width) + (value < 0 ? 1 : 0)
        }

        var text: String { NodeSet.format(value, width: width) }
        var isPadded: Bool { width > 0 }

        /// ClusterShell's order: negative numbers first (longer text first, then by value), then the others by
        /// the length of their text, then by value (their text, of one length): `-12, -5, 1, 3, 02, 10`.
        static func < (lhs: Number, rhs: Number) -> Bool {
            switch (lhs.value < 0, rhs.value < 0) {
            case (true, false): return true
            case (false, true): return false
            case (true, true): return (-lhs.length, lhs.value) < (-rhs.length, rhs.value)
            case (false, false): return (lhs.length, lhs.value) < (rhs.length, rhs.value)
            }
        }

        static func == (lhs: Number, rhs: Number) -> Bool { (lhs.value, lhs.width) == (rhs.value, rhs.width) }
        func hash(into hasher: inout Hasher) {
            hasher.combine(value)
            hasher.combine(width)
        }
    }

    /// Sorted numbers (ClusterShell's order) as runs of consecutive numbers of one padding, first and last:
    /// what a range `a-b` can stand for. A padded run holds numbers of its length only; an unpadded one no
    /// padded number.
    static func runs(_ numbers: [Number]) -> [(first: Number, last: Number)] {
        guard var start = numbers.first else { return [] }
        var runs: [(first: Number, last: Number)] = []
        var last = start
        for number in numbers.dropFirst() {
            let samePadding = start.isPadded ? number.length == start.length : !number.isPadded
            if samePadding && number.value == last.value + 1 {
                last = number
                continue
            }
            runs.append((start, last))
            start = number
            last = number
        }
        runs.append((start, last))
        return runs
    }

    /// The numbers of one dimension of a folded vector: sorted, without duplicates.
    struct Field: Hashable {
        var numbers: [Number]

        init(_ numbers: [Number]) { self.numbers = numbers }

        /// `[…]` with runs of consecutive numbers of one padding as `a-b`, or the number alone.
        var rendered: String {
            guard numbers.count > 1 else { return numbers[0].text }
            let parts = NodeSet.runs(numbers).map {
                $0.first == $0.last ? $0.first.text : $0.first.text + "-" + $0.last.text
            }
            return "[" + parts.joined(separator: ",") + "]"
        }

        /// Set operations, quick when one field lies wholly before the other (the usual case of sorted vectors).
        func isDisjoint(with other: Field) -> Bool {
            if numbers.last! < other.numbers[0] || other.numbers.last! < numbers[0] { return true }
            return Set(numbers).isDisjoint(with: other.numbers)
        }

        func union(_ other: Field) -> Field {
            if numbers.last! < other.numbers[0] { return Field(numbers + other.numbers) }
            if other.numbers.last! < numbers[0] { return Field(other.numbers + numbers) }
            return Field(Array(Set(numbers).union(other.numbers)).sorted())
        }

        /// Strictly contains `other`.
        func contains(_ other: Field) -> Bool {
            numbers.count > other.numbers.count && Set(numbers).isSuperset(of: other.numbers)
        }
    }

    /// Vectors of one pattern folded as ClusterShell's `RangeSetND` does.
    private static func foldVectors(_ vectors: [[Number]]) -> [[Field]] {
        guard let first = vectors.first else { return [] }
        let dimensions = first.count
        if dimensions == 0 { return [[]] }
        // One dimension, or only one that varies: one vector.
        let varying = (0..<dimensions).filter { index in vectors.contains { $0[index] != first[index] } }
        if varying.count <= 1 {
            return [
                (0..<dimensions).map { index in Field(Array(Set(vectors.map { $0[index] })).sorted()) }
            ]
        }
        return mergeVectors(vectors.map { $0.map { Field([$0]) } })
    }

    /// ClusterShell's multivariate merge: passes over the sorted vectors, merging each with the ones after it
    /// that differ in at most one dimension; quick passes (stop at the first vector that does not merge) until
    /// nothing changes, then full passes. A full pass over more than `fullPassLimit` vectors is skipped (it is
    /// quadratic; ClusterShell makes it however long it takes).
    private static func mergeVectors(_ start: [[Field]]) -> [[Field]] {
        var vectors = start
        var full = false
        var changed = true
        while changed {
            changed = false
            vectors.sort(by: precedes)
            if !full {
                var merged: [[Field]] = []
                var current = vectors[0]
                for vector in vectors.dropFirst() {
                    if let both = merge(current, vector) {
                        current = both
                        changed = true
                    } else {
                        merged.append(current)
                        current = vector
                    }
                }
                merged.append(current)
                vectors = merged
                if !changed {
                    full = true
                    changed = vectors.count <= fullPassLimit
                }
                continue
            }
            var alive = [Bool](repeating: true, count: vectors.count)
            for index in vectors.indices where alive[index] {
                for other in (index + 1)..<vectors.count where alive[other] {
                    if let both = merge(vectors[index], vectors[other]) {
                        vectors[index] = both
                        alive[other] = false
                        changed = true
                    }
                }
            }
            vectors = vectors.indices.filter { alive[$0] }.map { vectors[$0] }
        }
        return vectors
    }

    static let fullPassLimit = 3_000

    /// The two vectors as one when they differ in at most one dimension (there, disjoint or one containing the
    /// other); nil otherwise.
    private static func merge(_ lhs: [Field], _ rhs: [Field]) -> [Field]? {
        var result: [Field] = []
        var differences = 0
        for (left, right) in zip(lhs, rhs) {
            if left == right {
                result.append(left)
                continue
            }
            differences += 1
            guard differences <= 1 else { return nil }
            if left.isDisjoint(with: right) {
                result.append(left.union(right))
            } else if left.contains(right) {
                result.append(left)
            } else if right.contains(left) {
                result.append(right)
            } else {
                return nil
            }
        }
        return result
    }

    /// ClusterShell's vector order: more names first, then dimension by dimension larger first, lower first
    /// number first, lower last number first.
    private static func precedes(_ lhs: [Field], _ rhs: [Field]) -> Bool {
        let leftSize = lhs.reduce(1) { $0 * $1.numbers.count }
        let rightSize = rhs.reduce(1) { $0 * $1.numbers.count }
        if leftSize != rightSize { return leftSize > rightSize }
        for (left, right) in zip(lhs, rhs) {
            if left.numbers.count != right.numbers.count { return left.numbers.count > right.numbers.count }
            if left.numbers[0] != right.numbers[0] { return left.numbers[0] < right.numbers[0] }
            if left.numbers.last! != right.numbers.last! { return left.numbers.last! < right.numbers.last! }
        }
        return false
    }

    /// A name as its text around digit runs and the numbers of those runs (a run too long for an `Int` stays
    /// text). `negativeMark` before digits makes a negative number (see `fold(pattern:)`).
    private static func tokenize(_ name: String) -> (literals: [String], numbers: [Number]) {
        var literals: [String] = []
        var numbers: [Number] = []
        var literal = String.UnicodeScalarView()
        var digits = String.UnicodeScalarView()
        var negative = false
        let mark = negativeMark.unicodeScalars.first!

        func flushDigits() {
            guard !digits.isEmpty else {
                if negative { literal.append("-") }
                negative = false
                return
            }
            let text = String(digits)
            if digits.count <= maximumDigits, let value = Int(text) {
                literals.append(String(literal))
                literal = String.UnicodeScalarView()
                numbers.append(Number(value: negative ? -value : value, width: paddingWidth(text)))
            } else {
                if negative { literal.append("-") }
                literal.append(contentsOf: digits)
            }
            digits = String.UnicodeScalarView()
            negative = false
        }

        for scalar in name.unicodeScalars {
            if ("0"..."9").contains(scalar) {
                digits.append(scalar)
            } else {
                flushDigits()
                if scalar == mark {
                    negative = true
                } else {
                    literal.append(scalar)
                }
            }
        }
        flushDigits()
        literals.append(String(literal))
        return (literals, numbers)
    }
}
