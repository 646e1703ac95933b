/// Why a host pattern could not be expanded.
///
/// The REPL prints `description` verbatim after the command name, so the message is a single line that names the
/// offending part of the pattern; `kind` lets callers and tests react to the category without parsing text.
public struct NodeSetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The category of mistake in the pattern.
    public enum Kind: Equatable, Sendable {
        /// A `[` without its `]`, a `]` without its `[`, or a `[` inside another bracket group.
        case unbalancedBracket
        /// `[]` or an empty element such as `[1,,3]`.
        case emptyRange
        /// A range whose start is greater than its end, such as `[5-1]`.
        case reversedRange
        /// A bracket element that is not `N`, `N-M` or `N-M/S` with decimal digits.
        case nonNumericRange
        /// A number with more digits than fit in a machine integer.
        case numberTooLarge
        /// A step of zero, or a step on a single number.
        case invalidStep
        /// The pattern would produce more than `NodeSet.maximumNames` names.
        case tooManyNames
    }

    /// The category of mistake.
    public let kind: Kind
    /// A one-line, user-facing explanation.
    public let message: String

    /// Creates an error; `message` should be a single line that names the offending part of the pattern.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// ClusterShell-style host patterns such as `web[01-12].example.com,db[1,3,5-7]`.
///
/// Fleets are named in numbered series, so typing and reading them one by one does not scale. `expand` turns a
/// pattern into the individual host names and `fold` turns a list of names back into the compact notation that
/// chop prints in prompts and summaries.
public enum NodeSet {
    /// Upper bound on the number of names one pattern may produce, so that a typo such as `[1-1000000000]` fails
    /// fast instead of exhausting memory.
    public static let maximumNames = 100_000

    /// Longest digit run treated as a number; longer runs would overflow `Int` and are kept as literal text.
    private static let maximumDigits = 18

    // MARK: - Expansion

    /// Expands a host pattern into individual names.
    ///
    /// - Top-level commas separate items (`a,b,web[1-3]`); commas inside brackets separate range elements.
    /// - A bracket group holds comma-separated elements `N`, `N-M` or `N-M/S` (every S-th number). A leading
    ///   zero on the start pads every number of that element to the start's width: `[08-10]` → `08 09 10`.
    /// - Several groups in one item produce the cartesian product, leftmost group varying slowest:
    ///   `r[1-2]n[1-2]` → `r1n1 r1n2 r2n1 r2n2`.
    /// - Whitespace around items and elements is ignored, empty items are skipped, and duplicate names are dropped
    ///   (first occurrence kept) because a host must not be added to a fleet twice.
    ///
    /// - Throws: `NodeSetError` for unbalanced brackets, empty/reversed/non-numeric ranges, bad steps, or more
    ///   than `maximumNames` names.
    public static func expand(_ pattern: String) throws(NodeSetError) -> [String] {
        var parsedItems: [[Segment]] = []
        var total = 0
        for item in try splitItems(pattern) {
            let segments = try parseItem(item)
            var count = 1
            for case .group(let elements) in segments {
                let groupCount = elements.reduce(0) { $0 + $1.count }
                let (product, overflow) = count.multipliedReportingOverflow(by: groupCount)
                guard !overflow, product <= maximumNames else { throw tooMany(item) }
                count = product
            }
            total += count
            guard total <= maximumNames else {
                throw NodeSetError(.tooManyNames, "pattern expands to more than \(maximumNames) names")
            }
            parsedItems.append(segments)
        }

        var seen = Set<String>()
        var names: [String] = []
        names.reserveCapacity(total)
        for segments in parsedItems {
            for name in product(of: segments) where seen.insert(name).inserted {
                names.append(name)
            }
        }
        return names
    }

    /// Whether `s` uses pattern syntax (a bracket or a comma) and so must go through `expand` rather than being
    /// taken as a single host name.
    public static func isPattern(_ s: String) -> Bool {
        s.contains("[") || s.contains("]") || s.contains(",")
    }

    /// One piece of a pattern item: literal text, or a bracket group.
    private enum Segment {
        case literal(String)
        case group([RangeElement])
    }

    /// `start-end/step`, each number zero-padded to `width` digits (0 means no padding).
    private struct RangeElement {
        var start: Int
        var end: Int
        var step: Int
        var width: Int

        var count: Int { (end - start) / step + 1 }

        var names: [String] {
            stride(from: start, through: end, by: step).map { NodeSet.format($0, width: width) }
        }
    }

    private static func tooMany(_ item: String) -> NodeSetError {
        NodeSetError(.tooManyNames, "'\(item)' expands to more than \(maximumNames) names")
    }

    /// Splits at commas outside brackets and checks bracket balance, so later stages see one item at a time.
    private static func splitItems(_ pattern: String) throws(NodeSetError) -> [String] {
        var items: [String] = []
        var current = ""
        var inBracket = false
        for ch in pattern {
            switch ch {
            case "[":
                guard !inBracket else {
                    throw NodeSetError(.unbalancedBracket, "nested '[' in '\(pattern)': bracket groups cannot nest")
                }
                inBracket = true
                current.append(ch)
            case "]":
                guard inBracket else {
                    throw NodeSetError(.unbalancedBracket, "unbalanced bracket in '\(pattern)': ']' without '['")
                }
                inBracket = false
                current.append(ch)
            case "," where !inBracket:
                items.append(current)
                current = ""
            default:
                current.append(ch)
            }
        }
        guard !inBracket else {
            throw NodeSetError(.unbalancedBracket, "unbalanced bracket in '\(pattern)': missing ']'")
        }
        items.append(current)
        return items.map(trimmed).filter { !$0.isEmpty }
    }

    /// Parses one comma-free (at top level), bracket-balanced item into literal and group segments.
    private static func parseItem(_ item: String) throws(NodeSetError) -> [Segment] {
        var segments: [Segment] = []
        var literal = ""
        var groupText = ""
        var inBracket = false
        for ch in item {
            if inBracket {
                if ch == "]" {
                    segments.append(.group(try parseGroup(groupText, item: item)))
                    groupText = ""
                    inBracket = false
                } else {
                    groupText.append(ch)
                }
            } else if ch == "[" {
                if !literal.isEmpty {
                    segments.append(.literal(literal))
                    literal = ""
                }
                inBracket = true
            } else {
                literal.append(ch)
            }
        }
        if !literal.isEmpty {
            segments.append(.literal(literal))
        }
        return segments
    }

    private static func parseGroup(_ text: String, item: String) throws(NodeSetError) -> [RangeElement] {
        guard !trimmed(text).isEmpty else {
            throw NodeSetError(.emptyRange, "empty range '[]' in '\(item)'")
        }
        var elements: [RangeElement] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            elements.append(try parseElement(trimmed(String(part)), item: item))
        }
        return elements
    }

    private static func parseElement(_ text: String, item: String) throws(NodeSetError) -> RangeElement {
        guard !text.isEmpty else {
            throw NodeSetError(.emptyRange, "empty range element in '\(item)'")
        }
        let slashParts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let bounds = slashParts[0].split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard slashParts.count <= 2, bounds.count <= 2 else {
            throw NodeSetError(.nonNumericRange, "non-numeric range '\(text)' in '\(item)'")
        }
        let start = try number(bounds[0], element: text, item: item)
        let end = bounds.count == 2 ? try number(bounds[1], element: text, item: item) : start
        var step = 1
        if slashParts.count == 2 {
            guard bounds.count == 2 else {
                throw NodeSetError(.invalidStep, "step needs a range in '\(text)' in '\(item)'")
            }
            step = try number(slashParts[1], element: text, item: item)
            guard step > 0 else {
                throw NodeSetError(.invalidStep, "invalid step '\(slashParts[1])' in '\(item)': must be at least 1")
            }
        }
        guard start <= end else {
            throw NodeSetError(.reversedRange, "reversed range '\(text)' in '\(item)': start is greater than end")
        }
        return RangeElement(start: start, end: end, step: step, width: paddingWidth(bounds[0]))
    }

    private static func number(_ text: String, element: String, item: String) throws(NodeSetError) -> Int {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw NodeSetError(.nonNumericRange, "non-numeric range '\(element)' in '\(item)'")
        }
        guard text.utf8.count <= maximumDigits, let value = Int(text) else {
            throw NodeSetError(.numberTooLarge, "number too large in '\(element)' in '\(item)'")
        }
        return value
    }

    /// Builds the cartesian product of the segments, leftmost group varying slowest.
    private static func product(of segments: [Segment]) -> [String] {
        var names = [""]
        for segment in segments {
            switch segment {
            case .literal(let text):
                names = names.map { $0 + text }
            case .group(let elements):
                let values = elements.flatMap(\.names)
                var next: [String] = []
                next.reserveCapacity(names.count * values.count)
                for prefix in names {
                    for value in values {
                        next.append(prefix + value)
                    }
                }
                names = next
            }
        }
        return names
    }

    // MARK: - Folding

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

    // MARK: - Helpers

    /// Width implied by a written number: a leading zero means "pad to this many digits".
    private static func paddingWidth(_ digits: String) -> Int {
        digits.utf8.count > 1 && digits.utf8.first == UInt8(ascii: "0") ? digits.utf8.count : 0
    }

    private static func format(_ value: Int, width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, first == " " || first == "\t" {
            scalars.removeFirst()
        }
        while let last = scalars.last, last == " " || last == "\t" {
            scalars.removeLast()
        }
        return String(scalars)
    }
}
