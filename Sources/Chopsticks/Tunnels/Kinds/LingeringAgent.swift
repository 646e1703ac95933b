import Foundation
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// The next run's agent, already started on the host: what a shared ssh master (`ControlMaster`) does for ssh's
/// handshake, this does for Python's start.
///
/// Why: through a master, a second `chop -c …` still starts a shell and Python on every host (about 12 ms of a
/// host's CPU each, all hosts at once on the same cores when they are containers or VMs of one machine), and
/// ssh's mux client on this side. When chop keeps a master of its own (`set persist`), the agent it starts
/// leaves one behind (`CHOP_LINGER`, the agent's part 86): a process of the user's in a session of its own,
/// listening on a socket in a 0700 folder of the user's on the host (`$XDG_RUNTIME_DIR/chop`, else
/// `/tmp/chop-agent-UID`), that forks a fresh agent for each connection and ends by itself once none came for the
/// window (`persist` seconds and a few more). chop asks the master to forward a socket in its own 0700 folder to
/// it (`-L`, asked on its control socket: `MuxClient`), so the next run connects to that socket: no process here, none started there but a
/// fork, and the same round trips as a new channel.
///
/// Never under sudo (the agent refuses too), never through the user's own ControlPath, never with `persist off`.
/// A forward that no longer leads anywhere (the lingering agent ended, the host refuses forwarding) fails
/// before any hello, and the connect then starts Python as before.
public enum LingeringAgent {
    /// What a connect to `ssh` does about lingering agents, worked out once per connect (`plan(for:)`).
    struct Plan: Sendable {
        /// Seconds the new agent leaves one behind for, and the name it gets (`CHOP_LINGER=SECONDS:KEY`).
        var seconds: Int
        var key: String
        /// The forward's local socket, when the connect may go through it to the one the last run left.
        var socket: String?
        /// What goes in the bootstrap (`Bootstrap.command`).
        var request: String { "\(seconds):\(key)" }
    }

    /// nil: no lingering for `ssh` (only with a master of chop's own, where the forward lives, without sudo, and
    /// without agent forwarding: the agents it starts would keep the first session's `SSH_AUTH_SOCK`, gone with
    /// it; nor again while a master whose forward led nowhere lives: the host refuses Unix socket forwarding, or
    /// its lingering agent was ended). `socket` only when that master is the member's one master, newer than
    /// every ssh config file (an edited `HostName`, `User` or `Port` makes ssh start another master, which the old
    /// forward would not follow), and the forward is there.
    static func plan(for ssh: SSH) async -> Plan? {
        guard let seconds = ssh.persist, !ssh.sudo, !ssh.agentForwarding.isEnabled, let folder = ControlMaster.folder,
            !(await ControlMaster.userSettings(ssh).isSet)
        else { return nil }
        let key = key(for: ssh)
        let path = localPath(in: folder, key: key)
        let masters = ControlMaster.sockets(in: folder, prefix: ControlMaster.memberPrefix(ssh))
        let failed = SSHConfigFiles.modified(path + "x")
        if masters.contains(where: { failed >= SSHConfigFiles.modified($0) }) { return nil }
        var plan = Plan(seconds: seconds, key: key)
        if masters.count == 1, ControlMaster.isSocket(path),
            let configured = SSHConfigFiles.newestChange(configFile: ssh.configFile),
            configured < SSHConfigFiles.modified(masters[0])
        {
            plan.socket = path
        }
        return plan
    }

    /// The forward at `path` led nowhere: remembered (a file beside it) until the master is replaced.
    static func failed(_ path: String) {
        let fd = open(path + "x", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if fd >= 0 { close(fd) }
    }

    /// The name of `ssh`'s member master's lingering agent: per member (host, user, port, route, config, options),
    /// agent source, interpreter and local user. It names the forward's local socket, and goes to the agent
    /// (`CHOP_LINGER=SECONDS:KEY`), which names its own socket after it: no two masters share one.
    static func key(for ssh: SSH) -> String {
        ControlMaster.key(
            ["linger", ControlMaster.memberPrefix(ssh), ssh.python ?? "", Bootstrap.agentKey, String(getuid())])
    }

    /// The local end of the forward for `ssh`'s member (`key`).
    static func localPath(for ssh: SSH) -> String? {
        ControlMaster.folder.map { localPath(in: $0, key: key(for: ssh)) }
    }

    private static func localPath(in folder: String, key: String) -> String { folder + "/" + key + ".a" }

    /// Drops the forward's socket and its failure mark once `ssh`'s master has ended (`disconnect --persist`).
    public static func forget(_ ssh: SSH) {
        guard let path = localPath(for: ssh) else { return }
        unlink(path)
        unlink(path + "x")
    }

    /// Asks `ssh`'s master to forward the local socket to `remote` (what the agent's hello named): done once per
    /// connect, before the run ends, and quick (the master binds a local socket, over an old one an ended master
    /// left; nothing crosses the network; a forward it has already is answered OK). Spoken on the master's
    /// control socket (`MuxClient`): an `ssh -O forward` per host cost 9 ms of CPU each.
    static func forward(_ ssh: SSH, to remote: String) async {
        guard let path = localPath(for: ssh), let folder = ControlMaster.folder,
            let master = ControlMaster.socket(in: folder, prefix: ControlMaster.memberPrefix(ssh)),
            remote.hasPrefix("/"), remote.utf8.count < 100, !remote.utf8.contains(0)
        else { return }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            // Blocking socket calls (bounded by their timeouts): on a thread of their own, not Swift's pool.
            Thread.detachNewThread {
                _ = MuxClient.forward(through: master, local: path, remote: remote)
                done.resume()
            }
        }
    }

    /// Ends the lingering agent `ssh`'s master leads to (`disconnect --persist`), through it (`forget` drops the
    /// forward's socket once the master has ended). True when one was ended.
    public static func end(for ssh: SSH, stderr: StderrLog) async -> Bool {
        guard let plan = await plan(for: ssh), let path = plan.socket else { return false }
        guard let connection = await AgentConnection.openLingering(path, kind: ssh, timeout: 5, stderr: stderr)
        else { return false }
        let ended = try? await connection.request(
            "linger_end", ["key": .string(plan.key)], reply: Reply.LingerEnd.self)
        await connection.shutdown()
        return ended?.ended ?? false
    }
}

/// The far end of a connection to a lingering agent, for `AgentConnection`: no process of chop's runs it, so
/// ending it is closing the socket (the agent exits at the end of its input).
struct LingerLink: AgentChild {
    let channel: any Channel

    func signalGroup(_ signal: CInt) {
        channel.close(promise: nil)
    }

    @discardableResult
    func waitForExit(graceSeconds: Double) async -> CInt? {
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(graceSeconds * 1000))) {
            channel.close(promise: nil)
        }
        try? await channel.closeFuture.get()
        timer.cancel()
        return nil
    }
}
