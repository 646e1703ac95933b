/// chopsticks' SetOps on ordered lists: union, intersection, difference and symmetric difference that keep the
/// left operand's order (then the right one's), so a group stays in the order its members were added.
/// `Group`'s `| & - ^` and the shell's target algebra (`, & ! ^`) both use these.
public enum SetOps {
    /// `a` then the elements of `b` not in `a`.
    public static func union<T, Key: Hashable>(_ a: [T], _ b: [T], by key: (T) -> Key) -> [T] {
        var seen = Set(a.map(key))
        return a + b.filter { seen.insert(key($0)).inserted }
    }

    /// The elements of `a` that are in `b`.
    public static func intersection<T, Key: Hashable>(_ a: [T], _ b: [T], by key: (T) -> Key) -> [T] {
        let theirs = Set(b.map(key))
        return a.filter { theirs.contains(key($0)) }
    }

    /// The elements of `a` that are not in `b`.
    public static func subtracting<T, Key: Hashable>(_ a: [T], _ b: [T], by key: (T) -> Key) -> [T] {
        let theirs = Set(b.map(key))
        return a.filter { !theirs.contains(key($0)) }
    }

    /// The elements in exactly one of `a` and `b`.
    public static func symmetricDifference<T, Key: Hashable>(_ a: [T], _ b: [T], by key: (T) -> Key) -> [T] {
        subtracting(a, b, by: key) + subtracting(b, a, by: key)
    }
}
