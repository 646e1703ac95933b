import Foundation

extension ProcessTree {
    /// Every live process whose argv or environment contains `text` ("PID argv"), to prove a secret stayed
    /// out of both. Processes we may not read are skipped (the tests run as root, so that is none).
    public static func processesMentioning(_ text: String) -> [String] {
        let needle = Array(text.utf8)
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> String? in
            guard let pid = pid_t(entry), pid != getpid() else { return nil }
            for file in ["cmdline", "environ"] {
                guard let data = FileManager.default.contents(atPath: "/proc/\(entry)/\(file)") else { continue }
                if [UInt8](data).contains(needle) { return "\(pid) \(commandLine(pid))" }
            }
            return nil
        }
    }
}

extension Array where Element == UInt8 {
    /// Whether `needle` occurs as a contiguous run.
    fileprivate func contains(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, needle.count <= count else { return false }
        return (0...(count - needle.count)).contains { start in
            self[start..<(start + needle.count)].elementsEqual(needle)
        }
    }
}
