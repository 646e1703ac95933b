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
    static let maximumDigits = 18

    // MARK: - Expansion

    /// Expands a host pattern into individual names.
    ///
    /// - Top-level commas separate items (`a,b,web[1-3]`); commas inside brackets separate range elements.
    /// - A bracket group holds comma-separated elements `N`, `N-M` or `N-M/S` (every S-th number). A leading
    ///   zero on the start pads every number of that element to the start's width: `[08-10]` → `08 09 10`.
    /// - Several groups in one item produce the cartesian product, leftmost group varying slowest:
    ///   `r[1-2]n[1-2]` → `r1n1 r1n2 r2n1 r2n2`.
    /// - Numbers may be negative (`n[-5]`, `n[-2-1]`), but not zero-padded (`n[-001]`). A zero-padded range has as
    ///   many digits at both ends, counting the digits just before the bracket as ClusterShell does: `n0[1-9]` is
    ///   `n[01-09]`, and `0[7-10]` (`07-010`) or `prod-0[10-345]` is refused.
    /// - As in ClusterShell, a bracket cannot follow another one directly or after digits only (`n[1-2][3-4]`,
    ///   `n[1-4]0[3-4]`), and a range with a step cannot be followed by digits (`n[1-7/2]0`).
    /// - Whitespace around items and elements is ignored; an empty item (`a,,b`, `web1,`) is an error; duplicate
    ///   names are dropped (first occurrence kept) because a host must not be added to a fleet twice.
    ///
    /// - Throws: `NodeSetError` for unbalanced brackets, empty/reversed/non-numeric ranges, bad steps, or more
    ///   than `maximumNames` names.
    public static func expand(_ pattern: String) throws(NodeSetError) -> [String] {
        try expand(pattern, minus: "-")
    }

    /// `expand`, with `minus` as the sign of the negative numbers of ranges (see `fold(pattern:)`).
    static func expand(_ pattern: String, minus: Character) throws(NodeSetError) -> [String] {
        var parsedItems: [[Segment]] = []
        var total = 0
        for item in try splitItems(pattern) {
            let segments = try parseItem(item)
            var count = 1
            for case .group(let elements) in segments {
                // Element counts are summed with a check: twelve elements of 10^18 names overflow an Int.
                var groupCount = 0
                for element in elements {
                    let (sum, overflow) = groupCount.addingReportingOverflow(element.count)
                    guard !overflow, sum <= maximumNames else { throw tooMany(item) }
                    groupCount = sum
                }
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
            for name in product(of: segments, minus: minus) where seen.insert(name).inserted {
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

        func names(minus: Character) -> [String] {
            stride(from: start, through: end, by: step).map { number in
                let text = NodeSet.format(number, width: width)
                return number < 0 && minus != "-" ? String(minus) + text.dropFirst() : text
            }
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
        let trimmedItems = items.map(trimmed)
        // Nothing at all is no host; an empty item beside others is a typo (`a,,b`, `web1,`), not a skip.
        if trimmedItems.count == 1 && trimmedItems[0].isEmpty { return [] }
        if let empty = trimmedItems.firstIndex(where: \.isEmpty) {
            let place =
                empty == 0
                ? "before the first ','" : empty == trimmedItems.count - 1 ? "after the last ','" : "between two commas"
            throw NodeSetError(.emptyItem, "empty item in '\(pattern)': nothing \(place)")
        }
        return trimmedItems
    }

    /// Parses one comma-free (at top level), bracket-balanced item into literal and group segments. Digits next
    /// to a bracket belong to its numbers, as in ClusterShell: digits after it are appended to every number
    /// (`[1-4]56` is 156, 256, …), then digits before it are prepended to each run of consecutive numbers
    /// (`0[1-9]` is 01-09, `1[10-345]` is 110-1345), which is where padding is checked.
    private static func parseItem(_ item: String) throws(NodeSetError) -> [Segment] {
        var pieces: [(literal: String, bracket: String?)] = []
        var literal = ""
        var groupText = ""
        var inBracket = false
        for ch in item {
            if inBracket {
                if ch == "]" {
                    pieces.append((literal, groupText))
                    literal = ""
                    groupText = ""
                    inBracket = false
                } else {
                    groupText.append(ch)
                }
            } else if ch == "[" {
                inBracket = true
            } else {
                literal.append(ch)
            }
        }
        pieces.append((literal, nil))
        var segments: [Segment] = []
        for index in pieces.indices {
            guard var text = pieces[index].bracket else { break }
            // Spaces inside a bracket are ignored, as ClusterShell ignores them (`n[ 1 - 3 ]`).
            text = text.filter { $0 != " " && $0 != "\t" }
            let after = pieces[index + 1].literal
            let trailing = String(after.prefix { $0.isASCII && $0.isNumber })
            if !trailing.isEmpty {
                if trailing == after && pieces[index + 1].bracket != nil {
                    throw NodeSetError(
                        .unbalancedBracket,
                        "'\(item)': a '[' cannot follow ']' directly or after digits only, e.g. use n[1-2]x[3-4]")
                }
                text = try appendDigits(trailing, to: text, item: item)
                pieces[index + 1].literal.removeFirst(trailing.count)
            } else if after.isEmpty && pieces[index + 1].bracket != nil {
                throw NodeSetError(
                    .unbalancedBracket,
                    "'\(item)': a '[' cannot follow ']' directly or after digits only, e.g. use n[1-2]x[3-4]")
            }
            var before = pieces[index].literal
            let leading = String(before.reversed().prefix { $0.isASCII && $0.isNumber }.reversed())
            if !leading.isEmpty {
                text = try prependDigits(leading, to: text, item: item)
                before.removeLast(leading.count)
            }
            if !before.isEmpty { segments.append(.literal(before)) }
            segments.append(.group(try parseGroup(text, item: item)))
        }
        if let last = pieces.last?.literal, !last.isEmpty { segments.append(.literal(last)) }
        return segments
    }

    /// ClusterShell's trailing digits: `1-9` then `0` is `10-90/10`; a range with a step cannot take them.
    private static func appendDigits(_ digits: String, to text: String, item: String) throws(NodeSetError) -> String {
        if text.contains("/") {
            throw NodeSetError(
                .invalidStep, "'\(item)': digits cannot follow a range with a step; write them inside it")
        }
        if text.contains(where: { $0 == "-" }) && text.split(separator: ",").contains(where: { $0.hasPrefix("-") }) {
            throw NodeSetError(.nonNumericRange, "'\(item)': digits cannot follow a range of negative numbers")
        }
        return text.split(separator: ",", omittingEmptySubsequences: false).map { element in
            let bounds = element.split(separator: "-", omittingEmptySubsequences: false)
            let shifted = bounds.map { $0 + digits }.joined(separator: "-")
            return bounds.count > 1 ? shifted + "/1" + String(repeating: "0", count: digits.count) : shifted
        }.joined(separator: ",")
    }

    /// ClusterShell's leading digits: `0` then `1-9` is `01-09`, prepended to each run of consecutive numbers.
    private static func prependDigits(_ digits: String, to text: String, item: String) throws(NodeSetError) -> String {
        let elements = try parseGroup(text, item: item)
        guard elements.reduce(0, { $0 + $1.count }) <= maximumNames else { throw tooMany(item) }
        let numbers = elements.flatMap { element in
            stride(from: element.start, through: element.end, by: element.step).map {
                NodeSet.Number(value: $0, width: element.width)
            }
        }
        if numbers.contains(where: { $0.value < 0 }) {
            throw NodeSetError(.nonNumericRange, "'\(item)': digits cannot come before a range of negative numbers")
        }
        return runs(Array(Set(numbers)).sorted()).map { run in
            run.first == run.last ? digits + run.first.text : digits + run.first.text + "-" + digits + run.last.text
        }.joined(separator: ",")
    }

    private static func parseGroup(_ text: String, item: String) throws(NodeSetError) -> [RangeElement] {
        guard !text.isEmpty else {
            throw NodeSetError(.emptyRange, "empty range '[]' in '\(item)'")
        }
        var elements: [RangeElement] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            elements.append(try parseElement(String(part), item: item))
        }
        return elements
    }

    private static func parseElement(_ text: String, item: String) throws(NodeSetError) -> RangeElement {
        guard !text.isEmpty else {
            throw NodeSetError(.emptyRange, "empty range element in '\(item)'")
        }
        // `N`, `N-M` or `N-M/S`, where N and M may be negative (`-5`, `-2-1`, `-5--2`).
        let slashParts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard slashParts.count <= 2 else {
            throw NodeSetError(.nonNumericRange, "non-numeric range '\(text)' in '\(item)'")
        }
        let (startText, endText) = try bounds(slashParts[0], element: text, item: item)
        let start = try number(startText, element: text, item: item)
        let end =
            try endText.map { (text: String) throws(NodeSetError) -> Int in
                try number(text, element: slashParts[0], item: item)
            } ?? start
        var step = 1
        if slashParts.count == 2 {
            guard endText != nil else {
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
        for bound in [startText, endText ?? ""] where bound.hasPrefix("-") && paddingWidth(unsigned(bound)) > 0 {
            throw NodeSetError(.paddingMismatch, "'\(text)' in '\(item)': a negative number cannot be zero-padded")
        }
        let startDigits = unsigned(startText)
        if let endText {
            let endDigits = unsigned(endText)
            if (paddingWidth(startDigits) > 0 || paddingWidth(endDigits) > 0) && startDigits.count != endDigits.count {
                throw NodeSetError(
                    .paddingMismatch,
                    "padding mismatch in '\(slashParts[0])' in '\(item)': a zero-padded range has the same number of "
                        + "digits at both ends, e.g. 001-044")
            }
        }
        return RangeElement(start: start, end: end, step: step, width: paddingWidth(startDigits))
    }

    /// Splits `N` or `N-M` (each possibly negative) at the dash between them.
    private static func bounds(_ text: String, element: String, item: String) throws(NodeSetError) -> (
        String, String?
    ) {
        let scalars = Array(text.unicodeScalars)
        // The separating dash is the first one after the start's own sign and at least one digit.
        var index = scalars.first == "-" ? 1 : 0
        while index < scalars.count, scalars[index] != "-" { index += 1 }
        guard index < scalars.count else { return (text, nil) }
        let start = String(String.UnicodeScalarView(scalars[..<index]))
        let end = String(String.UnicodeScalarView(scalars[(index + 1)...]))
        guard !end.isEmpty else {
            throw NodeSetError(.nonNumericRange, "range '\(element)' in '\(item)' has no end after '-'")
        }
        return (start, end)
    }

    /// The digits of a number as written, without its sign.
    private static func unsigned(_ text: String) -> String {
        text.hasPrefix("-") ? String(text.dropFirst()) : text
    }

    private static func number(_ text: String, element: String, item: String) throws(NodeSetError) -> Int {
        let digits = unsigned(text)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw NodeSetError(.nonNumericRange, "non-numeric range '\(element)' in '\(item)'")
        }
        guard digits.utf8.count <= maximumDigits, let value = Int(text) else {
            throw NodeSetError(.numberTooLarge, "number too large in '\(element)' in '\(item)'")
        }
        return value
    }

    /// Builds the cartesian product of the segments, leftmost group varying slowest.
    private static func product(of segments: [Segment], minus: Character) -> [String] {
        var names = [""]
        for segment in segments {
            switch segment {
            case .literal(let text):
                names = names.map { $0 + text }
            case .group(let elements):
                let values = elements.flatMap { $0.names(minus: minus) }
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

    // MARK: - Helpers

    /// Width implied by a written number: a leading zero means "pad to this many digits".
    static func paddingWidth(_ digits: String) -> Int {
        digits.utf8.count > 1 && digits.utf8.first == UInt8(ascii: "0") ? digits.utf8.count : 0
    }

    static func format(_ value: Int, width: Int) -> String {
        let text = String(value.magnitude)
        let padded = text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
        return value < 0 ? "-" + padded : padded
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
