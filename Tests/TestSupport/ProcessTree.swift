import Foundation

/// Looks at live processes through /proc: tests use it to prove that nothing was left running.
public enum ProcessTree {
    /// PIDs of every live (non-zombie) descendant of `pid`.
    public static func descendants(of pid: pid_t = getpid()) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for (child, parent, state) in table() where state != "Z" { children[parent, default: []].append(child) }
        var result: [pid_t] = []
        var queue = children[pid] ?? []
        while let next = queue.popLast() {
            result.append(next)
            queue += children[next] ?? []
        }
        return result
    }

    /// Zombie children of `pid` (exited but not reaped).
    public static func zombies(of pid: pid_t = getpid()) -> [pid_t] {
        table().filter { $0.parent == pid && $0.state == "Z" }.map(\.pid)
    }

    /// The command line of a process, for failure messages.
    public static func commandLine(_ pid: pid_t) -> String {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return "?" }
        return String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
    }

    /// Live descendants excluding long-lived fixtures (sshd) that the tests started themselves.
    public static func strayChildren(excluding fixed: Set<pid_t> = []) -> [String] {
        descendants().filter { !fixed.contains($0) }.map { "\($0) \(commandLine($0))" }
            .filter { !$0.contains("sshd") }
    }

    private static func table() -> [(pid: pid_t, parent: pid_t, state: String)] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, let parent = pid_t(fields[1]) else { return nil }
            return (pid, parent, String(fields[0]))
        }
    }
}

extension ProcessTree {
    /// Whether `pid` is alive (and not a zombie).
    public static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}

extension ProcessTree {
    /// This process's resident memory in MiB (VmRSS), for tests that bound what a load or an attack costs.
    public static func residentMiB() -> Double {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let kib =
            status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
            .flatMap { Double($0.split(separator: " ")[1]) } ?? -1
        return kib / 1024
    }
}
