import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The ssh config files ssh reads for a connect, looked at line by line.
///
/// Why: before each shared connect chop asks `ssh -G` for the user's own `ControlMaster`/`ControlPath`, a process
/// per member on every run. When no file ssh would read (every `Include` followed) sets either to anything but
/// its default (`ControlMaster no`, `ControlPath none`), `ssh -G` can only answer the defaults, so chop skips it.
/// Whatever this cannot read or follow (a file it may not read, a quoted value, an `Include` with `%` tokens,
/// environment variables or quotes, too many files) counts as a setting: then `ssh -G` decides, as it always did.
enum SSHConfigFiles {
    /// True when a file ssh reads may set `ControlMaster` or `ControlPath`: `configFile` (`-F`) alone, else the
    /// user's `~/.ssh/config` (the passwd home's, as ssh reads it, not `$HOME`) and `/etc/ssh/ssh_config`.
    static func maySetSharing(configFile: String?) -> Bool {
        guard let files = files(configFile: configFile) else { return true }
        return files.contains { file in
            file.text.split(whereSeparator: \.isNewline).contains { line in
                let words = self.words(line)
                let key = words.first?.lowercased()
                let value = words.count > 1 ? words[1].lowercased() : ""
                return key == "controlmaster" && value != "no" || key == "controlpath" && value != "none"
            }
        }
    }

    /// The newest modification time (nanoseconds) among the files ssh reads for `configFile`, or nil when one
    /// cannot be read or followed (then anything may have changed).
    static func newestChange(configFile: String?) -> Int? {
        files(configFile: configFile).map { $0.map { modified($0.path) }.max() ?? 0 }
    }

    /// The system-wide file, read when no `-F` file is given.
    static let systemFile = "/etc/ssh/ssh_config"

    /// Files read at most, includes counted: past it, nothing is known.
    static let maxFiles = 64

    /// The files ssh reads for a connect, with their text: `configFile` (`-F`) alone, else the user's
    /// `~/.ssh/config` and the system's file, each `Include` followed. nil when one cannot be read or followed.
    private static func files(configFile: String?) -> [(path: String, text: String)]? {
        guard let home = passwdHome() else { return nil }
        let userBase = home + "/.ssh"
        let tops =
            configFile.map { [($0, userBase, true)] }
            ?? [(userBase + "/config", userBase, false), (systemFile, "/etc/ssh", false)]
        var found: [(path: String, text: String)] = []
        for (path, base, mustExist) in tops {
            guard collect(path, base: base, home: home, mustExist: mustExist, into: &found) else { return nil }
        }
        return found
    }

    /// `path` (when it is there) and the files it includes, into `found`; false when one cannot be followed.
    /// Relative includes resolve against `base` (`~/.ssh` for the user's files, `/etc/ssh` for the system's, as
    /// ssh_config(5) says). A missing default file is skipped, as ssh skips it; a missing -F file is ssh's error.
    private static func collect(
        _ path: String, base: String, home: String, mustExist: Bool, into found: inout [(path: String, text: String)]
    ) -> Bool {
        guard found.count < maxFiles else { return false }
        guard let data = FileManager.default.contents(atPath: path) else {
            return !mustExist && !FileManager.default.fileExists(atPath: path)
        }
        guard let text = String(data: data, encoding: .utf8) else { return false }
        found.append((path, text))
        for line in text.split(whereSeparator: \.isNewline) {
            let words = words(line)
            guard words.first?.lowercased() == "include" else { continue }
            for pattern in words.dropFirst() {
                if pattern.contains(where: { "%$\"'".contains($0) }) { return false }
                var full = pattern.hasPrefix("~/") ? home + pattern.dropFirst() : pattern
                if !full.hasPrefix("/") { full = base + "/" + full }
                for match in glob(full) where !collect(match, base: base, home: home, mustExist: false, into: &found) {
                    return false
                }
            }
        }
        return true
    }

    /// A config line's words, split on blanks and `=` as ssh does.
    private static func words(_ line: Substring) -> [String] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "=" }).map(String.init)
    }

    /// `path`'s modification time in nanoseconds, or -1 when it is not there.
    static func modified(_ path: String) -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { return -1 }
        return info.st_mtim.tv_sec * 1_000_000_000 + info.st_mtim.tv_nsec
    }

    /// The paths `pattern` matches, sorted, as glob(3) finds them (none: an empty list).
    private static func glob(_ pattern: String) -> [String] {
        var found = glob_t()
        defer { globfree(&found) }
        guard Glibc.glob(pattern, 0, nil, &found) == 0 else { return [] }
        return (0..<Int(found.gl_pathc)).compactMap { found.gl_pathv[$0].map { String(cString: $0) } }
    }

    /// The home directory of the passwd entry of the real user: where ssh looks for `~/.ssh/config`.
    private static func passwdHome() -> String? {
        guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }
}
