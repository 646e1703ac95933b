import Chopsticks
import Foundation

/// How a fact reads in the views: sizes in binary units, so a hundred hosts' memory can be compared at a glance
/// (`total 15.6 GiB, available 9.8 GiB`); JSON keeps the exact bytes.
enum FactText {
    /// The facts whose integer fields are byte counts.
    static let sized: Set<String> = ["memory", "disk"]

    static func text(_ name: String, _ value: JSONValue) -> String {
        guard sized.contains(name), case .object(let fields) = value else { return value.displayText }
        let order = ["path", "total", "used", "available", "free"]
        let keys = fields.keys.sorted {
            (order.firstIndex(of: $0) ?? order.count, $0) < (order.firstIndex(of: $1) ?? order.count, $1)
        }
        return keys.map { key in
            switch fields[key]! {
            case .int(let bytes): "\(key) \(self.bytes(bytes))"
            case .string(let text): "\(key) \(text)"
            case let other: "\(key) \(other.displayText)"
            }
        }.joined(separator: ", ")
    }

    /// `512 B`, `1.5 KiB`, `15.6 GiB`: one decimal from KiB up.
    static func bytes(_ count: Int64) -> String {
        let units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
        guard count.magnitude >= 1024 else { return "\(count) B" }
        var value = Double(count) / 1024
        var unit = 0
        while value.magnitude >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return String(format: "%.1f", value) + " " + units[unit]
    }
}
