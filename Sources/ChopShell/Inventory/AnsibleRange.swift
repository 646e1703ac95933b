/// Ansible's host ranges: `web[01:20]` (a leading zero pads to the width of the start, and the end must be as
/// wide), `db-[a:f]` (letters), `node[0:10:2]` (a stride) and `[:3]` (from 0); several in one name multiply.
enum AnsibleRange {
    static func expand(_ pattern: String) throws(InventoryProblem) -> [String] {
        guard let open = pattern.firstIndex(of: "[") else {
            if pattern.contains("]") { throw InventoryProblem("'\(pattern)': ']' without '['") }
            return [pattern]
        }
        guard let close = pattern[open...].firstIndex(of: "]") else {
            throw InventoryProblem("'\(pattern)': '[' without ']'")
        }
        let head = String(pattern[..<open])
        let body = String(pattern[pattern.index(after: open)..<close])
        let tail = String(pattern[pattern.index(after: close)...])
        if head.contains("]") { throw InventoryProblem("'\(pattern)': ']' without '['") }
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3 else {
            throw InventoryProblem("'\(pattern)': a range is [START:END] or [START:END:STEP], e.g. web[01:20]")
        }
        let start = parts[0].isEmpty ? "0" : parts[0]
        let end = parts[1]
        guard !end.isEmpty else { throw InventoryProblem("'\(pattern)': the range [\(body)] has no end") }
        var step = 1
        if parts.count == 3 {
            guard let value = Int(parts[2]), value > 0 else {
                throw InventoryProblem("'\(pattern)': the step in [\(body)] must be a number above 0")
            }
            step = value
        }
        var items: [String] = []
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        if let first = start.count == 1 ? letters.firstIndex(of: start.first!) : nil,
            let last = end.count == 1 ? letters.firstIndex(of: end.first!) : nil
        {
            guard first <= last else { throw InventoryProblem("'\(pattern)': the range [\(body)] goes backwards") }
            items = stride(from: first, through: last, by: step).map { String(letters[$0]) }
        } else {
            guard start.allSatisfy(\.isASCII), end.allSatisfy(\.isASCII), let low = Int(start), let high = Int(end),
                low >= 0
            else {
                throw InventoryProblem("'\(pattern)': [\(body)] is neither a number range nor a letter range")
            }
            guard low <= high else { throw InventoryProblem("'\(pattern)': the range [\(body)] goes backwards") }
            let width = start.hasPrefix("0") && start.count > 1 ? start.count : 0
            if width > 0 && end.count != width {
                throw InventoryProblem("'\(pattern)': a padded range needs a start and end of one width, e.g. [01:20]")
            }
            guard (high - low) / step < NodeSet.maximumNames else { throw tooMany(pattern) }
            items = stride(from: low, through: high, by: step).map { number in
                let digits = String(number)
                return width > digits.count ? String(repeating: "0", count: width - digits.count) + digits : digits
            }
        }
        let rest = try expand(tail)
        guard items.count * rest.count <= NodeSet.maximumNames else { throw tooMany(pattern) }
        return items.flatMap { item in rest.map { head + item + $0 } }
    }

    private static func tooMany(_ pattern: String) -> InventoryProblem {
        InventoryProblem("'\(pattern)' makes more than \(NodeSet.maximumNames) names")
    }
}
