/// Answers grouped into blocks: hosts whose output is the same, or (with `similar`) the same but for volatile
/// tokens (`VolatileText`), share one block that shows the common text once and each varying token as a summary
/// of its values. Nothing is lost: a block keeps every host's exact outcome for `show` and `diff`.
public struct SimilarOutputs: Sendable {
    /// How answers are gathered into blocks; the `gather` setting.
    public enum Mode: String, Sendable, CaseIterable {
        /// Hosts with identical output share a block.
        case exact
        /// Hosts whose output differs only in volatile tokens share a block.
        case similar
        /// One block per host.
        case off
    }

    /// One varying token of a block: its values across the block's hosts.
    public struct Variable: Equatable, Sendable {
        /// Each distinct value with how many hosts gave it, most frequent first (then by value).
        public var counts: [(value: String, hosts: Int)]

        public static func == (lhs: Variable, rhs: Variable) -> Bool {
            lhs.counts.map(\.value) == rhs.counts.map(\.value) && lhs.counts.map(\.hosts) == rhs.counts.map(\.hosts)
        }

        /// `⟨3.11.2 ×38 | 3.9.2 ×2⟩` for a few values (at most `listed`), else the spread of numbers
        /// `⟨0.02–3.91, median 0.4⟩`, else `⟨100 values⟩` (also for distinct whole numbers such as pids or
        /// ports, which name things rather than measure them).
        public func summary(listed: Int = 5) -> String {
            if counts.count <= listed {
                return "⟨" + counts.map { "\($0.value) ×\($0.hosts)" }.joined(separator: " | ") + "⟩"
            }
            if let spread = spread() {
                return "⟨\(spread.low)–\(spread.high), median \(spread.median)⟩"
            }
            return "⟨\(counts.count) values⟩"
        }

        /// The values as numbers (`%` and `,` around them ignored), or nil when one is not a number.
        public var numbers: [(value: Double, text: String, hosts: Int)]? {
            var result: [(value: Double, text: String, hosts: Int)] = []
            for count in counts {
                guard let number = Double(count.value.trimmingCharacters(in: ["%", ","])), number.isFinite else {
                    return nil
                }
                result.append((number, count.value, count.hosts))
            }
            return result
        }

        /// Lowest, highest and median value as written, when the values are measurements: all numbers, and
        /// not distinct whole numbers (identifiers).
        public func spread() -> (low: String, high: String, median: String, values: [Double])? {
            guard let numbers, numbers.count > 1 else { return nil }
            let identifiers = numbers.allSatisfy { $0.hosts == 1 && !$0.text.contains(".") }
            guard !identifiers else { return nil }
            let sorted = numbers.sorted { $0.value != $1.value ? $0.value < $1.value : $0.text < $1.text }
            let all = sorted.flatMap { Array(repeating: $0, count: $0.hosts) }
            return (sorted[0].text, sorted[sorted.count - 1].text, all[(all.count - 1) / 2].text, all.map(\.value))
        }

        /// The eight block characters, lowest to highest.
        public static let bars = Array("▁▂▃▄▅▆▇█")

        /// How the values fall between their lowest and highest, in `bins` columns of `bars` (a column no host
        /// falls in is a space): the shape of a hundred load averages at a glance.
        public func histogram(bins: Int = 16) -> String? {
            guard let values = spread()?.values, let low = values.first, let high = values.last else { return nil }
            var counts = [Int](repeating: 0, count: bins)
            for value in values {
                let position = high > low ? Int((value - low) / (high - low) * Double(bins)) : 0
                counts[min(bins - 1, max(0, position))] += 1
            }
            let most = counts.max() ?? 1
            return String(
                counts.map { count in
                    count == 0 ? " " : Self.bars[min(7, (count * 8 - 1) / most)]
                })
        }
    }

    /// Hosts that share one block.
    public struct Block: Sendable {
        public var hosts: [String]
        /// The first host's outcome, for the state and as the exact text of an `exact` block.
        public var outcome: HostOutcome
        /// The common text with `VolatileText.marker` where a variable stands, in order.
        public var mask: String
        /// The varying tokens, in the order they appear; a token that is the same on every host is not one.
        public var values: [[String]]
        /// Whether the token at each marker varies across the block's hosts.
        public var varies: [Bool]

        /// How many tokens vary.
        public var varyingCount: Int { varies.count { $0 } }

        /// The block's lines: common text through `plain`, each varying token through `render` of its summary.
        /// Lines are split at "\n" in the common text (tokens never hold one); a last empty line is dropped.
        public func lines(plain: (String) -> String, render: (Variable) -> String) -> [String] {
            var lines: [String] = []
            var line = ""
            var run = ""
            var index = 0
            for character in mask {
                if character == VolatileText.marker {
                    line += plain(run)
                    run = ""
                    line += varies[index] ? render(variable(index)) : plain(values[index][0])
                    index += 1
                } else if character == "\n" {
                    lines.append(line + plain(run))
                    line = ""
                    run = ""
                } else {
                    run.append(character)
                }
            }
            if !line.isEmpty || !run.isEmpty { lines.append(line + plain(run)) }
            return lines
        }

        /// The values of the token at `index` across the block's hosts.
        public func variable(_ index: Int) -> Variable {
            var counts: [String: Int] = [:]
            for value in values[index] { counts[value, default: 0] += 1 }
            let sorted = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            return Variable(counts: sorted.map { (value: $0.key, hosts: $0.value) })
        }
    }

    /// The blocks of `outcomes` (all of one state, typically the `ok` ones), largest first; equal sizes keep the
    /// order of first appearance. `text` is what is compared (stdout and stderr joined by the caller).
    public static func blocks(
        _ outcomes: [HostOutcome], mode: Mode, text: (HostOutcome) -> String
    ) -> [Block] {
        var blocks: [Block] = []
        var positions: [String: Int] = [:]
        for outcome in outcomes {
            let body = text(outcome)
            let split: VolatileText.Split
            switch mode {
            case .similar: split = VolatileText.split(body, host: outcome.host)
            case .exact, .off: split = VolatileText.Split(mask: body, values: [])
            }
            let key = mode == .off ? outcome.host : split.mask
            if let position = positions[key] {
                blocks[position].hosts.append(outcome.host)
                for index in split.values.indices { blocks[position].values[index].append(split.values[index]) }
            } else {
                positions[key] = blocks.count
                blocks.append(
                    Block(
                        hosts: [outcome.host], outcome: outcome, mask: split.mask, values: split.values.map { [$0] },
                        varies: []))
            }
        }
        for index in blocks.indices {
            blocks[index].varies = blocks[index].values.map { Set($0).count > 1 }
        }
        // Largest first; a stable sort keeps the order of first appearance among equals.
        return blocks.enumerated().sorted { lhs, rhs in
            lhs.element.hosts.count != rhs.element.hosts.count
                ? lhs.element.hosts.count > rhs.element.hosts.count : lhs.offset < rhs.offset
        }.map(\.element)
    }
}
