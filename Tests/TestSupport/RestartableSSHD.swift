import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An sshd of its own for one test, which can be stopped and started again: the shared fleet's sshd serves every
/// test in the process and must never go away. It uses the fleet's keys, so the fleet's ssh config (its client
/// key and known_hosts) works, and listens on 127.0.0.2 at a port of its own, as the alias `restartable`.
public final class RestartableSSHD {
    public let port: Int
    /// An ssh config with the alias `restartable` and every alias of the fleet.
    public let configFile: String
    private let serverConfig: String
    private var pid: pid_t?

    public init(fleet: SSHFleet) throws {
        port = try SSHFleet.freePort()
        let dir = fleet.directory
        let name = "restartable-\(port)"
        serverConfig = "\(dir)/\(name).sshd_config"
        configFile = "\(dir)/\(name).ssh_config"
        let server = """
            Port \(port)
            ListenAddress 127.0.0.2
            HostKey \(dir)/host_key
            PidFile \(dir)/\(name).pid
            AuthorizedKeysFile \(dir)/authorized_keys
            PermitRootLogin prohibit-password
            AllowUsers root
            UsePAM no
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            LogLevel ERROR
            SetEnv HOME=\(dir)/home

            """
        try server.write(toFile: serverConfig, atomically: true, encoding: .utf8)
        let fleetConfig = try String(contentsOfFile: fleet.configFile, encoding: .utf8)
        let alias = "Host restartable\n    HostName 127.0.0.2\n    Port \(port)\n    HostKeyAlias chopfleet\n"
        try (alias + fleetConfig).write(toFile: configFile, atomically: true, encoding: .utf8)
        try start()
    }

    /// Starts sshd and waits (bounded) until it accepts connections.
    public func start() throws {
        precondition(pid == nil, "already running")
        pid = try Command.start(["/usr/sbin/sshd", "-D", "-f", serverConfig])
        guard eventually(timeout: 5, { SSHFleet.canConnect(port: port, address: "127.0.0.2") }) else {
            stop()
            throw SSHFleet.FleetUnavailable(reason: "sshd did not start on port \(port)")
        }
    }

    /// Ends sshd and every session it serves, as a restart of the service with its sessions does, and reaps it.
    public func stop() {
        guard let pid else { return }
        let sessions = ProcessTree.descendants(of: pid)
        kill(pid, SIGKILL)
        for session in sessions { kill(session, SIGKILL) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        self.pid = nil
        eventually(timeout: 5) { !sessions.contains(where: ProcessTree.isAlive) }
    }

    deinit { stop() }
}
