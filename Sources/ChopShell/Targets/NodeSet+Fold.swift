extension NodeSet {
    /// Folds host names into compact pattern notation, as ClusterShell prints node sets: e.g.
    /// `["web01", "web02", "web03", "db1"]` → `db1,web[01-03]`.
    ///
    /// Names are deduplicated, then merged when they differ in exactly one numeric field. Fields are merged from
    /// the last to the first, so a complete grid folds into one item with several bracket groups (`r[1-2]n[1-3]`).
    /// Numbers keep their padding as written, and mixed padding shares one bracket (`n[1,03,05]`); a range joins
    /// only numbers written with the same width (`web[09-10]`, never `[1-044]`). Items are sorted (text by
    /// text, numbers by value): `blue,green,red[1-3]`. Callers that show members in the order they were added
    /// list them, not fold them.
    ///
    /// `expand(fold(names))` yields the same set of names, provided no name contains `[`, `]`, `,` or surrounding
    /// whitespace (none of which occur in host names).
    public static func fold(_ names: [String]) -> String {
        var seen = Set<String>()
        var items: [FoldItem] = []
        for name in names where seen.insert(name).inserted {
            items.append(tokenize(name))
        }
        let fieldCount = items.map(\.fields.count).max() ?? 0
        for index in stride(from: fieldCount - 1, through: 0, by: -1) {
            items = merge(items, onField: index)
        }
        return items.sorted { $0.precedes($1) }.map(\.rendered).joined(separator: ",")
    }

    /// A number as written in a name: its value and its zero-padding width (0: written without a leading zero).
    private struct Number: Hashable, Comparable {
        var value: Int
        var width: Int

        var text: String { NodeSet.format(value, width: width) }

        static func < (lhs: Number, rhs: Number) -> Bool {
            (lhs.value, lhs.width) < (rhs.value, rhs.width)
        }
    }

    /// The numbers occupying one numeric position of a folded item.
    private struct Field: Hashable {
        /// Sorted, without duplicates.
        var numbers: [Number]

        /// `[…]` with runs of consecutive numbers of one width as `a-b`, or the number alone.
        var rendered: String {
            guard numbers.count > 1 else { return numbers[0].text }
            var parts: [String] = []
            var run: [Number] = []
            var runWidth = 0
            func flush() {
                guard let first = run.first, let last = run.last else { return }
                parts.append(
                    run.count == 1
                        ? first.text
                        : NodeSet.format(first.value, width: runWidth) + "-"
                            + NodeSet.format(last.value, width: runWidth))
            }
            for number in numbers {
                if let last = run.last, number.value == last.value + 1, fits(number, after: run, width: runWidth) {
                    run.append(number)
                    if runWidth == 0 { runWidth = number.width }
                    continue
                }
                flush()
                run = [number]
                runWidth = number.width
            }
            flush()
            return "[" + parts.joined(separator: ",") + "]"
        }

        /// Whether `number` continues `run` as a range `a-b` that expands back to exactly these texts: a padded
        /// range holds only numbers of the padded width (`08-10`, not `08-100`).
        private func fits(_ number: Number, after run: [Number], width: Int) -> Bool {
            if width > 0 { return number.text.count == width }
            if number.width > 0 { return run.allSatisfy { $0.text.count == number.width } }
            return true
        }
    }

    /// A name (or already merged group of names): `literals[0] fields[0] literals[1] … literals[n]`.
    private struct FoldItem {
        var literals: [String]
        var fields: [Field]

        var rendered: String {
            var text = literals[0]
            for (field, literal) in zip(fields, literals.dropFirst()) {
                text += field.rendered + literal
            }
            return text
        }

        /// Sort order: text parts as text, numeric parts by their smallest value, left to right.
        func precedes(_ other: FoldItem) -> Bool {
            for index in 0..<max(literals.count, other.literals.count) {
                let mine = index < literals.count ? literals[index] : ""
                let theirs = index < other.literals.count ? other.literals[index] : ""
                if mine != theirs { return mine < theirs }
                let myNumber = index < fields.count ? fields[index].numbers.first : nil
                let theirNumber = index < other.fields.count ? other.fields[index].numbers.first : nil
                switch (myNumber, theirNumber) {
                case (nil, nil): continue
                case (nil, _): return true
                case (_, nil): return false
                case (let a?, let b?) where a != b: return a < b
                default: continue
                }
            }
            return false
        }
    }

    /// Grouping key for a merge pass: everything except the field being merged.
    private struct MergeKey: Hashable {
        var literals: [String]
        var otherFields: [Field]
    }

    private static func tokenize(_ name: String) -> FoldItem {
        var literals: [String] = []
        var fields: [Field] = []
        var literal = String.UnicodeScalarView()
        var digits = String.UnicodeScalarView()

        func flushDigits() {
            guard !digits.isEmpty else { return }
            let text = String(digits)
            if digits.count <= maximumDigits, let value = Int(text) {
                literals.append(String(literal))
                literal = String.UnicodeScalarView()
                fields.append(Field(numbers: [Number(value: value, width: paddingWidth(text))]))
            } else {
                literal.append(contentsOf: digits)
            }
            digits = String.UnicodeScalarView()
        }

        for scalar in name.unicodeScalars {
            if ("0"..."9").contains(scalar) {
                digits.append(scalar)
            } else {
                flushDigits()
                literal.append(scalar)
            }
        }
        flushDigits()
        literals.append(String(literal))
        return FoldItem(literals: literals, fields: fields)
    }

    /// Merges items that agree on everything but field `index` into one item whose field holds all their numbers.
    private static func merge(_ items: [FoldItem], onField index: Int) -> [FoldItem] {
        var keyOrder: [MergeKey] = []
        var groups: [MergeKey: [FoldItem]] = [:]
        var result: [FoldItem] = []
        for item in items {
            guard item.fields.count > index else {
                result.append(item)
                continue
            }
            var others = item.fields
            others.remove(at: index)
            let key = MergeKey(literals: item.literals, otherFields: others)
            if groups[key] == nil {
                keyOrder.append(key)
            }
            groups[key, default: []].append(item)
        }
        for key in keyOrder {
            guard let members = groups[key], var merged = members.first else { continue }
            merged.fields[index].numbers = Array(Set(members.flatMap { $0.fields[index].numbers })).sorted()
            result.append(merged)
        }
        return result
    }
}
