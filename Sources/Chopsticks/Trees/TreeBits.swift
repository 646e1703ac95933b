/// A set of entry indices of a tree, one bit each.
///
/// Why: the files each host wants are kept until the tree is sent; as a `Set<Int>` or `[Int]` that is 8 to 16
/// bytes a file per host, which made the controller's memory grow with the tree (issue #20: flat in the number
/// of files). One bit a file per host is 12.5 KB for 100,000 files.
struct TreeBits: Sendable, Hashable, Sequence {
    private var words: [UInt64] = []
    /// How many indices are in the set.
    private(set) var count = 0

    init() {}

    init(_ indices: some Sequence<Int>) {
        for index in indices { insert(index) }
    }

    var isEmpty: Bool { count == 0 }

    func contains(_ index: Int) -> Bool {
        let word = index >> 6
        return index >= 0 && word < words.count && words[word] & (1 << UInt64(index & 63)) != 0
    }

    mutating func insert(_ index: Int) {
        precondition(index >= 0, "a tree entry's index is not negative")
        let word = index >> 6
        if word >= words.count { words.append(contentsOf: repeatElement(0, count: word + 1 - words.count)) }
        let bit: UInt64 = 1 << UInt64(index & 63)
        if words[word] & bit == 0 {
            words[word] |= bit
            count += 1
        }
    }

    /// The smallest index in the set at or after `index`, if any.
    func first(atOrAfter index: Int) -> Int? {
        var word = Swift.max(0, index) >> 6
        guard word < words.count else { return nil }
        var bits = words[word] & (~0 << UInt64(Swift.max(0, index) & 63))
        while true {
            if bits != 0 { return word << 6 + bits.trailingZeroBitCount }
            word += 1
            guard word < words.count else { return nil }
            bits = words[word]
        }
    }

    var first: Int? { first(atOrAfter: 0) }

    /// The indices in increasing order.
    func makeIterator() -> AnyIterator<Int> {
        var next = 0
        return AnyIterator {
            guard let found = first(atOrAfter: next) else { return nil }
            next = found + 1
            return found
        }
    }
}
