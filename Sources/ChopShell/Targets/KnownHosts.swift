import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Host names the user has probably talked to before, offered as completions for `add`.
///
/// The sources are the ones `ssh` itself uses (config aliases and known_hosts) plus `/etc/hosts`. Every reader is
/// best-effort: a missing, unreadable or malformed file yields fewer names, never an error, because completion
/// must not get in the way of typing.
public struct KnownHostNames: Sendable {
    /// How deep `Include` directives are followed; matches OpenSSH's limit and stops include cycles.
    public static let maximumIncludeDepth = 16

    /// Concrete `Host` names from an ssh_config file and the files it `Include`s.
    ///
    /// `Host a b`, `host a` and `Host=a b` forms are read; patterns containing `*`, `?` or `!` are skipped because
    /// they are not hosts one can connect to by that name. `Include` arguments may be globs; relative ones are
    /// resolved against the directory of `configFile` (`~/.ssh` for a user config), as ssh does, and `~/` against
    /// `home` (default: the parent of that directory when it is named `.ssh`, else `$HOME`).
    public static func sshConfigAliases(configFile: String, home: String? = nil) -> [String] {
        let baseDirectory = (configFile as NSString).deletingLastPathComponent
        let resolvedHome = home ?? defaultHome(forConfigDirectory: baseDirectory)
        var names: [String] = []
        collectAliases(
            file: configFile, baseDirectory: baseDirectory, home: resolvedHome, depth: 0, into: &names)
        return unique(names)
    }

    /// Host names from an OpenSSH known_hosts file.
    ///
    /// Takes the comma-separated first field of each line, reduces `[host]:port` to `host`, and skips hashed
    /// (`|1|…`) entries, negations and wildcard patterns, which cannot be turned back into names. Lines with a
    /// `@cert-authority` or `@revoked` marker are skipped: the first names a signer, not a host, and the second a
    /// host that must not be used.
    public static func knownHosts(file: String) -> [String] {
        var names: [String] = []
        for line in lines(of: file) {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard let first = fields.first, !first.hasPrefix("#"), !first.hasPrefix("@") else { continue }
            for entry in first.split(separator: ",") {
                var name = Substring(entry)
                guard !name.hasPrefix("|"), !name.hasPrefix("!"), !name.contains("*"), !name.contains("?") else {
                    continue
                }
                if name.hasPrefix("["), let close = name.firstIndex(of: "]") {
                    name = name[name.index(after: name.startIndex)..<close]
                }
                if !name.isEmpty {
                    names.append(String(name))
                }
            }
        }
        return unique(names)
    }

    /// Names from an /etc/hosts-style file: every field after the address, up to a `#` comment.
    public static func etcHosts(file: String = "/etc/hosts") -> [String] {
        var names: [String] = []
        for line in lines(of: file) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" })
            names.append(contentsOf: fields.dropFirst().map(String.init))
        }
        return unique(names)
    }

    /// All completion candidates for a user: `home/.ssh/config` aliases, then `home/.ssh/known_hosts`, then
    /// `etcHostsFile`, without duplicates and in that order so the most deliberate names come first.
    public static func all(home: String, etcHostsFile: String = "/etc/hosts") -> [String] {
        let sshDirectory = (home as NSString).appendingPathComponent(".ssh")
        let aliases = sshConfigAliases(
            configFile: (sshDirectory as NSString).appendingPathComponent("config"), home: home)
        let known = knownHosts(file: (sshDirectory as NSString).appendingPathComponent("known_hosts"))
        return unique(aliases + known + etcHosts(file: etcHostsFile))
    }

    // MARK: - ssh_config

    private static func collectAliases(
        file: String, baseDirectory: String, home: String, depth: Int, into names: inout [String]
    ) {
        guard depth <= maximumIncludeDepth else { return }
        for line in lines(of: file) {
            guard let (keyword, arguments) = keywordAndArguments(line) else { continue }
            switch keyword.lowercased() {
            case "host":
                names.append(contentsOf: arguments.filter { argument in !argument.contains { "*?!".contains($0) } })
            case "include":
                for argument in arguments {
                    let pattern = resolveIncludePath(argument, baseDirectory: baseDirectory, home: home)
                    for path in globPaths(pattern) {
                        collectAliases(
                            file: path, baseDirectory: baseDirectory, home: home, depth: depth + 1, into: &names)
                    }
                }
            default:
                break
            }
        }
    }

    /// Splits `Keyword args…` or `Keyword=args…`; arguments may be double-quoted. Nil for blanks and comments.
    private static func keywordAndArguments(_ line: String) -> (String, [String])? {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { return nil }
        guard let end = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "=" }) else {
            return (trimmed, [])
        }
        var rest = trimmed[end...].drop { $0 == " " || $0 == "\t" }
        if rest.first == "=" {
            rest = rest.dropFirst()
        }
        return (String(trimmed[..<end]), configArguments(rest))
    }

    private static func configArguments(_ text: Substring) -> [String] {
        var arguments: [String] = []
        var current = ""
        var inWord = false
        var inQuotes = false
        for character in text {
            if character == "\"" {
                inQuotes.toggle()
                inWord = true
            } else if !inQuotes && (character == " " || character == "\t") {
                if inWord {
                    arguments.append(current)
                }
                current = ""
                inWord = false
            } else if !inQuotes && !inWord && character == "#" {
                break
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord {
            arguments.append(current)
        }
        return arguments.filter { !$0.isEmpty }
    }

    private static func resolveIncludePath(_ path: String, baseDirectory: String, home: String) -> String {
        if path == "~" {
            return home
        }
        if path.hasPrefix("~/") {
            return (home as NSString).appendingPathComponent(String(path.dropFirst(2)))
        }
        if path.hasPrefix("/") {
            return path
        }
        return (baseDirectory as NSString).appendingPathComponent(path)
    }

    /// Existing paths matching a glob pattern, sorted as glob(3) sorts them; a plain path matches only if it exists.
    private static func globPaths(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            if let cPath = result.gl_pathv[index] {
                paths.append(String(cString: cPath))
            }
        }
        return paths.filter { path in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    private static func defaultHome(forConfigDirectory directory: String) -> String {
        if (directory as NSString).lastPathComponent == ".ssh" {
            return (directory as NSString).deletingLastPathComponent
        }
        return ProcessInfo.processInfo.environment["HOME"] ?? "/"
    }

    // MARK: - Helpers

    /// The lines of a file, decoding invalid UTF-8 leniently; empty when the file is missing or not readable.
    private static func lines(of path: String) -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self)
            .split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map(String.init)
    }

    private static func unique(_ names: [String]) -> [String] {
        var seen = Set<String>()
        return names.filter { seen.insert($0).inserted }
    }
}
