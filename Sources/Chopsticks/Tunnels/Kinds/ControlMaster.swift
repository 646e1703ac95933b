import Foundation
import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// One ssh connection per host shared between chop runs, the way Ansible does it (OpenSSH's `ControlMaster`).
///
/// Why: every connect pays ssh's whole handshake, about a dozen round trips; a second `chop -c …` within the
/// window goes through the master the first one left and pays one or two. The master is a plain ssh process
/// that ssh itself detaches into its own session (holding only /dev/null and its sockets), and it ends by itself
/// `persist` seconds after its last client: nothing of chop's is left running.
///
/// The socket lives in a 0700 folder of chop's own (`$XDG_RUNTIME_DIR/chop`, else `/tmp/chop-UID`), named after
/// everything that chooses the route (config file, alias, user, port, jump hosts, options) plus ssh's own `%C`
/// (local host, host name, port, user as ssh resolved them): a master is never shared across users, ports or
/// routes. When the user's ssh config sets a `ControlPath` or a `ControlMaster` of its own (`ssh -G` tells), chop
/// adds nothing: the user's settings win.
public enum ControlMaster {
    /// What one connect adds to ssh's command line, and whether it found a master to go through.
    struct Plan: Sendable {
        /// `-o` words for the member's ssh (empty when the user's settings apply or sharing is off).
        var options: [String] = []
        /// Reaches the jump hosts through the last one's shared master (nil: plain `-J`).
        var proxyCommand: String?
        /// A master was listening when the connect began: the connect goes through it (no handshake).
        var reused = false
        /// Called once the connect has an outcome (this member opened its jump host's master: see `HopGate`).
        var settled: (@Sendable (Bool) -> Void)?
    }

    /// Seconds a jump host's master outlives its last member with `persist off`: long enough for members
    /// that connect a moment apart to share it, short enough that nothing stays once chop is gone.
    static let hopLinger = 1

    /// The folder for the sockets, made 0700 on first use; nil when it cannot be made safe (then chop shares
    /// nothing: a socket in a folder someone else can write to could be swapped for theirs).
    public static let folder: String? = {
        let uid = geteuid()
        var candidates: [String] = []
        if let runtime = ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"], runtime.hasPrefix("/"),
            runtime.utf8.count < 40
        {
            candidates.append(runtime + "/chop")
        }
        candidates.append("/tmp/chop-\(uid)")
        return candidates.first(where: isPrivateFolder)
    }()

    /// True when `path` is (or could be made) a real folder owned by this user that no one else may enter.
    private static func isPrivateFolder(_ path: String) -> Bool {
        if mkdir(path, 0o700) != 0, errno != EEXIST { return false }
        var info = stat()
        guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, info.st_uid == geteuid() else {
            return false
        }
        if info.st_mode & 0o077 != 0 { return chmod(path, 0o700) == 0 }
        return true
    }

    /// The first 16 hex digits of the SHA-1 of `parts` (each ended by a NUL, so no two lists collide).
    static func key(_ parts: [String]) -> String {
        let hasher = SHA1()
        for part in parts { hasher.update(Array(part.utf8) + [0]) }
        return String(hasher.hexDigest().prefix(16))
    }

    /// The user's own control settings for `ssh`'s host, read once per chop run with `ssh -G` (skipped when no
    /// config file ssh reads sets one: `SSHConfigFiles`).
    struct UserSettings: Sendable {
        var master = "false"
        var path: String?
        /// The user chose how connections are shared: chop leaves it to them.
        var isSet: Bool { path != nil || master != "false" }
    }

    private static let userSettingsCache = NIOLockedValueBox<[[String]: UserSettings]>([:])

    /// Whether the config files ssh reads (per `-F` file, nil: the user's and the system's) may set a control
    /// option, read once per chop run (`SSHConfigFiles`).
    private static let maySetSharingCache = NIOLockedValueBox<[String?: Bool]>([:])

    static func userSettings(_ ssh: SSH) async -> UserSettings {
        let argv = ["ssh", "-G"] + ssh.configArguments + ["--", ssh.host]
        if let known = userSettingsCache.withLockedValue({ $0[argv] }) { return known }
        // No file ssh reads sets ControlMaster or ControlPath, nor do the member's own -o options: ssh -G could
        // only tell the defaults, so no process is started to ask it.
        let maySet = maySetSharingCache.withLockedValue { cache in
            if let known = cache[ssh.configFile] { return known }
            let found = SSHConfigFiles.maySetSharing(configFile: ssh.configFile)
            cache[ssh.configFile] = found
            return found
        }
        if !maySet && !ssh.options.contains(where: { $0.lowercased().contains("control") }) {
            userSettingsCache.withLockedValue { $0[argv] = UserSettings() }
            return UserSettings()
        }
        var settings = UserSettings()
        if let output = try? await CommandOutput.run(argv, timeout: 10), output.status == 0 {
            for line in output.text.split(whereSeparator: \.isNewline) {
                let words = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard words.count == 2 else { continue }
                if words[0] == "controlmaster" { settings.master = words[1] }
                if words[0] == "controlpath", words[1] != "none" { settings.path = words[1] }
            }
        }
        userSettingsCache.withLockedValue { $0[argv] = settings }
        return settings
    }

    /// The socket name prefix of `ssh`'s own master (ssh appends `%C`).
    public static func memberPrefix(_ ssh: SSH) -> String {
        key(
            ["member", ssh.configFile ?? "", ssh.host, ssh.user ?? "", ssh.port.map(String.init) ?? ""] + ssh.via
                + ["--"] + ssh.options) + "-"
    }

    /// What `ssh` adds for its connect: chop's own master options (when `persist` is on and the user set none),
    /// its jump hosts' shared master, and whether a master is there to reuse.
    static func plan(for ssh: SSH) async -> Plan {
        guard ssh.persist != nil || !ssh.via.isEmpty, let folder else { return Plan() }
        let user = await userSettings(ssh)
        if user.isSet { return Plan(reused: user.path.map(isSocket) ?? false) }
        var plan = Plan(proxyCommand: proxyCommand(for: ssh, in: folder))
        if plan.proxyCommand != nil {
            let prefix = hopPrefix(ssh)
            if await HopGate.shared.enter(prefix, ready: { socket(in: folder, prefix: prefix) != nil }) {
                plan.settled = { @Sendable _ in Task { await HopGate.shared.leave(prefix) } }
            }
        }
        if let persist = ssh.persist {
            let prefix = memberPrefix(ssh)
            plan.options = [
                "ControlMaster=auto", "ControlPath=\(folder)/\(prefix)%C", "ControlPersist=\(persist)",
                // The forward to a lingering agent (`LingeringAgent`) binds again over a socket an ended master left.
                "StreamLocalBindUnlink=yes",
            ]
            plan.reused = socket(in: folder, prefix: prefix) != nil
        }
        return plan
    }

    /// The socket name prefix of the master for `ssh`'s last jump host, on `ssh`'s route.
    public static func hopPrefix(_ ssh: SSH) -> String {
        key(["hop", ssh.configFile ?? ""] + ssh.via) + "-"
    }

    /// The ProxyCommand that reaches the member through its last jump host's shared master (the hops before it
    /// as ProxyJump), so that a bastion sees one connection from chop, not one per member. nil: plain `-J`.
    static func proxyCommand(for ssh: SSH, in folder: String) -> String? {
        guard let last = ssh.via.last else { return nil }
        let earlier = Array(ssh.via.dropLast())
        let prefix = hopPrefix(ssh)
        var words = [
            "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(ssh.connectTimeout)", "-o", "LogLevel=ERROR",
            "-o", "ControlMaster=auto", "-o", "ControlPath=\(folder)/\(prefix)%C",
            "-o", "ControlPersist=\(ssh.persist ?? hopLinger)",
        ]
        if let configFile = ssh.configFile { words += ["-F", configFile] }
        if !earlier.isEmpty { words += ["-J", earlier.joined(separator: ",")] }
        // ssh expands %h and %p in a ProxyCommand, and %% to the % the inner ssh expands in its ControlPath.
        return (words.map(shellQuote) + ["-W", "'[%h]:%p'", "--", shellQuote(last)]).joined(separator: " ")
            .replacingOccurrences(of: "%C", with: "%%C")
    }

    /// The path of a socket in `folder` whose name starts with `prefix`, if one is there.
    static func socket(in folder: String, prefix: String) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        return names.lazy.filter { $0.hasPrefix(prefix) && $0.count == prefix.count + 40 }.map { folder + "/" + $0 }
            .first(where: isSocket)
    }

    /// Every socket in `folder` named with `prefix` (two: ssh resolved the host in two ways within the window).
    static func sockets(in folder: String, prefix: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasPrefix(prefix) && $0.count == prefix.count + 40 }.map { folder + "/" + $0 }
            .filter(isSocket)
    }

    static func isSocket(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFSOCK
    }

    /// Ends the masters `ssh` uses (its own, and its jump host's), as `ssh -O exit` does: the next connect
    /// pays the whole handshake again. Returns how many were running. (End the lingering agent first: it is
    /// reached through the master, `LingeringAgent.end`.)
    public static func end(for ssh: SSH) async -> Int {
        var sockets: [String] = []
        if let folder {
            if let own = socket(in: folder, prefix: memberPrefix(ssh)) { sockets.append(own) }
            if !ssh.via.isEmpty, let hop = socket(in: folder, prefix: hopPrefix(ssh)) { sockets.append(hop) }
        }
        let user = await userSettings(ssh)
        if let path = user.path, isSocket(path) { sockets.append(path) }
        var ended = 0
        for path in sockets {
            let argv = ["ssh", "-o", "ControlPath=\(path)", "-O", "exit", "--", ssh.host]
            if let output = try? await CommandOutput.run(argv, timeout: 5), output.status == 0 { ended += 1 }
        }
        return ended
    }
}
