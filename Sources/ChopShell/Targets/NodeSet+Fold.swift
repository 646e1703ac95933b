extension NodeSet {
    /// Folds host names into compact pattern notation, e.g. `["web01", "web02", "web03", "db1"]` →
    /// `web[01-03],db1`.
    ///
    /// Names are deduplicated, then merged when they differ in exactly one numeric field with compatible zero
    /// padding (`web09` and `web10` fold to `web[09-10]`; `web1` and `web01` stay apart). Fields are merged from
    /// the last to the first, so a complete grid folds into one item with several bracket groups (`r[1-2]n[1-3]`).
    /// Groups appear in the order of their first member; names without digits are kept as they are.
    ///
    /// `expand(fold(names))` yields the same set of names, provided no name contains `[`, `]`, `,` or surrounding
    /// whitespace (none of which occur in host names).
    public static func fold(_ names: [String]) -> String {
        var seen = Set<String>()
        var items: [FoldItem] = []
        for name in names where seen.insert(name).inserted {
            items.append(tokenize(name, order: items.count))
        }
        let fieldCount = items.map(\.fields.count).max() ?? 0
        for index in stride(from: fieldCount - 1, through: 0, by: -1) {
            items = merge(items, onField: index)
        }
        return items.map(\.rendered).joined(separator: ",")
    }

    /// A set of numbers occupying one numeric position, all printed with the same padding.
    private struct Field: Hashable {
        var values: [Int]
        /// Zero-padding width; 0 means the numbers are printed without padding.
        var width: Int
        /// Number of digits as written, so unpadded numbers can join a padded group they format identically in.
        var digits: Int

        /// `digits` is left out: for a single number it follows from value and width, and for a merged set it
        /// only reflects whichever name came first.
        static func == (lhs: Field, rhs: Field) -> Bool {
            lhs.values == rhs.values && lhs.width == rhs.width
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(values)
            hasher.combine(width)
        }

        var rendered: String {
            guard values.count > 1 else { return NodeSet.format(values[0], width: width) }
            var parts: [String] = []
            var runStart = values[0]
            var previous = values[0]
            let rest: [Int?] = values.dropFirst().map { $0 } + [nil]
            for value in rest {
                if let value, value == previous + 1 {
                    previous = value
                    continue
                }
                let first = NodeSet.format(runStart, width: width)
                parts.append(runStart == previous ? first : first + "-" + NodeSet.format(previous, width: width))
                if let value {
                    runStart = value
                    previous = value
                }
            }
            return "[" + parts.joined(separator: ",") + "]"
        }
    }

    /// A name (or already merged group of names): `literals[0] fields[0] literals[1] … literals[n]`.
    private struct FoldItem {
        var literals: [String]
        var fields: [Field]
        /// Position of the first name in the group, which keeps output in order of first appearance.
        var order: Int

        var rendered: String {
            var text = literals[0]
            for (field, literal) in zip(fields, literals.dropFirst()) {
                text += field.rendered + literal
            }
            return text
        }
    }

    /// Grouping key for a merge pass: everything except the field being merged.
    private struct MergeKey: Hashable {
        var literals: [String]
        var otherFields: [Field]
    }

    private static func tokenize(_ name: String, order: Int) -> FoldItem {
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
                fields.append(Field(values: [value], width: paddingWidth(text), digits: digits.count))
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
        return FoldItem(literals: literals, fields: fields, order: order)
    }

    /// Merges items that agree on everything but field `index`, keeping padding classes apart.
    private static func merge(_ items: [FoldItem], onField index: Int) -> [FoldItem] {
        var keyOrder: [MergeKey] = []
        var groups: [MergeKey: [FoldItem]] = [:]
        var untouched: [FoldItem] = []
        for item in items {
            guard item.fields.count > index else {
                untouched.append(item)
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

        var result = untouched
        for key in keyOrder {
            guard let members = groups[key] else { continue }
            result.append(contentsOf: mergePaddingClasses(members, index: index))
        }
        return result.sorted { $0.order < $1.order }
    }

    /// Within one group, sorts members into padding classes and merges each class into one item.
    ///
    /// An unpadded number joins the widest padded class it fits without change (`10` formats as `10` with width
    /// 2), so `web09,web10` folds into `web[09-10]` while `web1,web01` stays as two names.
    private static func mergePaddingClasses(_ members: [FoldItem], index: Int) -> [FoldItem] {
        let paddedWidths = Set(members.map { $0.fields[index].width }.filter { $0 > 0 })
        var classOrder: [Int] = []
        // Members arrive in order of appearance, so the first member of a class carries the class's order.
        var firstMembers: [Int: FoldItem] = [:]
        var classValues: [Int: [Int]] = [:]
        for member in members {
            let field = member.fields[index]
            let width = field.width > 0 ? field.width : (paddedWidths.filter { $0 <= field.digits }.max() ?? 0)
            if firstMembers[width] == nil {
                firstMembers[width] = member
                classOrder.append(width)
            }
            classValues[width, default: []].append(contentsOf: field.values)
        }
        return classOrder.compactMap { width in
            guard var item = firstMembers[width], let values = classValues[width] else { return nil }
            item.fields[index].width = width
            item.fields[index].values = Array(Set(values)).sorted()
            return item
        }
    }
}
