/// `1 host`, `2 hosts`, `0 errors`: every count chop prints goes through here, so number agreement is right
/// everywhere. `plural` is for nouns that do not just take an `s`.
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
