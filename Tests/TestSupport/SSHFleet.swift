import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// A loopback OpenSSH "fleet" for tests: one real sshd listening on several 127.0.0.x addresses, with
/// generated host and client keys and an ssh config whose aliases look like distinct hosts.
///
/// Aliases: `web1`…`web4` (healthy, 127.0.0.2–5), `closed` (a port nobody listens on), `badkey` (the host
/// key does not match known_hosts), `nokey` (the server refuses the user's key), `nopython` (the remote PATH has a shell but no Python), `oldpython`
/// (the only python3 is 2.7), `sudopw` (user chopsudo, whose sudo asks for a password; see `sudoUser`).
/// Started once per test process, stopped at exit.
public final class SSHFleet: Sendable {
    public let directory: String
    public let configFile: String
    /// The same hosts with no control settings of the user's: chop shares connections (`ControlMaster`).
    public let sharingConfigFile: String
    public let port: Int
    public let healthy = ["web1", "web2", "web3", "web4"]

    private let sshdPID: pid_t

    /// The fleet shared by every test in this process, or the reason it cannot run here.
    public static let shared: Result<SSHFleet, FleetUnavailable> = {
        do {
            return .success(try SSHFleet())
        } catch let error as FleetUnavailable {
            return .failure(error)
        } catch {
            return .failure(FleetUnavailable(reason: "\(error)"))
        }
    }()

    /// Why the fleet cannot start (no sshd installed, …).
    public struct FleetUnavailable: Error, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    private init() throws {
        let sshd = "/usr/sbin/sshd"
        guard FileManager.default.isExecutableFile(atPath: sshd) else {
            throw FleetUnavailable(reason: "sshd not installed (apt-get install openssh-server)")
        }
        let dir = NSTemporaryDirectory() + "chop-fleet-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for dirName in ["home", "nopy-bin", "oldpy-bin"] {
            try FileManager.default.createDirectory(atPath: "\(dir)/\(dirName)", withIntermediateDirectories: true)
        }
        // A PATH with a shell and no Python; and one whose python3 is Python 2.7 (when pyenv has one).
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/nopy-bin/sh", withDestinationPath: "/bin/sh")
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/oldpy-bin/sh", withDestinationPath: "/bin/sh")
        let python27 = "/root/.pyenv/versions/2.7.18/bin/python2.7"
        if FileManager.default.fileExists(atPath: python27) {
            try FileManager.default.createSymbolicLink(
                atPath: "\(dir)/oldpy-bin/python3", withDestinationPath: python27)
        }
        // The bootstrap also looks for Python at the usual absolute places (/usr/bin/python3 …): for `nopython`
        // and `oldpython` those are hidden, in a mount namespace of the session only, so the host really has
        // no Python 3.6+ anywhere. The command then runs in the login shell, as sshd would run it.
        _ = FileManager.default.createFile(atPath: "\(dir)/not-a-program", contents: Data())
        let hide = """
            #!/bin/sh
            exec /usr/bin/unshare -m /bin/sh -c 'for f in /usr/bin/python* /usr/local/bin/python*; do \\
            [ -f "$f" ] && /bin/mount --bind \(dir)/not-a-program "$f"; done; exec /bin/bash -c "$SSH_ORIGINAL_COMMAND"'

            """
        try hide.write(toFile: "\(dir)/hide-python", atomically: true, encoding: .utf8)
        chmod("\(dir)/hide-python", 0o755)
        for key in ["host_key", "wrong_host_key", "client_key"] {
            try Self.shell("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", "\(dir)/\(key)")
        }
        try FileManager.default.copyItem(atPath: "\(dir)/client_key.pub", toPath: "\(dir)/authorized_keys")
        let hostKey = try String(contentsOfFile: "\(dir)/host_key.pub", encoding: .utf8)
        let wrongKey = try String(contentsOfFile: "\(dir)/wrong_host_key.pub", encoding: .utf8)
        try "chopfleet \(hostKey)chopwrong \(wrongKey)".write(
            toFile: "\(dir)/known_hosts", atomically: true, encoding: .utf8)

        let port = try Self.freePort()
        let closedPort = try Self.freePort()
        let addresses = (1...9).map { "127.0.0.\($0)" }
        let server = """
            Port \(port)
            \(addresses.map { "ListenAddress \($0)" }.joined(separator: "\n"))
            HostKey \(dir)/host_key
            PidFile \(dir)/sshd.pid
            AuthorizedKeysFile \(dir)/authorized_keys
            PermitRootLogin prohibit-password
            AllowUsers root \(Self.sudoUser)
            UsePAM no
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            MaxStartups 1000
            MaxSessions 1000
            LogLevel ERROR
            SetEnv HOME=\(dir)/home
            Match LocalAddress 127.0.0.8
                SetEnv HOME=\(dir)/home PATH=\(dir)/nopy-bin
                ForceCommand \(dir)/hide-python
            Match LocalAddress 127.0.0.9
                SetEnv HOME=\(dir)/home PATH=\(dir)/oldpy-bin
                ForceCommand \(dir)/hide-python

            """
        try server.write(toFile: "\(dir)/sshd_config", atomically: true, encoding: .utf8)
        func alias(_ name: String, _ address: String, port: Int, keyAlias: String = "chopfleet") -> String {
            "Host \(name)\n    HostName \(address)\n    Port \(port)\n    HostKeyAlias \(keyAlias)\n"
        }
        var client = ""
        for (index, name) in healthy.enumerated() { client += alias(name, "127.0.0.\(index + 2)", port: port) }
        client += alias("closed", "127.0.0.1", port: closedPort)
        client += alias("badkey", "127.0.0.6", port: port, keyAlias: "chopwrong")
        client += alias("nopython", "127.0.0.8", port: port)
        client += alias("nokey", "127.0.0.7", port: port) + "    User nobody\n"
        client += alias("oldpython", "127.0.0.9", port: port)
        client += alias("sudopw", "127.0.0.2", port: port) + "    User \(Self.sudoUser)\n"
        client += """
            Host *
                User root
                IdentityFile \(dir)/client_key
                IdentitiesOnly yes
                UserKnownHostsFile \(dir)/known_hosts
                GlobalKnownHostsFile /dev/null
                StrictHostKeyChecking yes
                BatchMode yes

            """
        // The config every test uses sets a ControlPath of its own (a user's own settings win over chop's), with
        // ControlMaster no: no test leaves an ssh master behind. `sharingConfigFile` leaves sharing to chop.
        try client.write(toFile: "\(dir)/ssh_config_sharing", atomically: true, encoding: .utf8)
        let unshared = client.replacingOccurrences(
            of: "    BatchMode yes\n", with: "    BatchMode yes\n    ControlMaster no\n    ControlPath \(dir)/cm-%C\n")
        try unshared.write(toFile: "\(dir)/ssh_config", atomically: true, encoding: .utf8)

        // PR_SET_PDEATHSIG (1) survives exec: if the test process dies without running atexit (killed by a
        // timeout, say), the kernel sends sshd SIGTERM, so no fleet outlives its tests.
        let exec = "import ctypes,os,sys; ctypes.CDLL(None).prctl(1, 15); os.execv(sys.argv[1], sys.argv[1:])"
        let sshdPID = try Self.startOnKeeperThread(["python3", "-c", exec, sshd, "-D", "-f", "\(dir)/sshd_config"])
        self.sshdPID = sshdPID
        self.directory = dir
        self.configFile = "\(dir)/ssh_config"
        self.sharingConfigFile = "\(dir)/ssh_config_sharing"
        self.port = port
        Self.started.withLockedValue { $0.append(sshdPID) }
        atexit {
            for pid in SSHFleet.started.withLockedValue({ $0 }) { kill(pid, SIGTERM) }
        }
        // Ready when a TCP connection is accepted (bounded wait).
        if eventually(timeout: 5, { Self.canConnect(port: port) }) { return }
        kill(sshdPID, SIGTERM)
        throw FleetUnavailable(reason: "sshd did not start on port \(port)")
    }

    static let started = NIOLockedValueBox<[pid_t]>([])

    /// The account `.ci/sudo-user-up` makes: its sudo asks for `sudoPassword` every time. Alias `sudopw` logs
    /// in as it.
    public static let sudoUser = "chopsudo"
    public static let sudoPassword = "chop-test-pw"

    /// Whether the sudo account exists here (CI makes it; elsewhere run `.ci/sudo-user-up` as root).
    public static var sudoUserExists: Bool {
        (try? Command.run(["id", sudoUser]).status) == 0
    }

    /// An SSH tunnel kind for alias `name` of this fleet.
    public func ssh(_ name: String, python: String? = nil, connectTimeout: Int = 10) throws -> SSH {
        try SSH(name, configFile: configFile, connectTimeout: connectTimeout, python: python)
    }

    public var pid: pid_t { sshdPID }

    /// Starts `argv` from a thread that lives as long as the test process. PR_SET_PDEATHSIG fires when the
    /// *thread* that spawned the child ends, and Dispatch retires idle worker threads: spawned from one of
    /// those (an async test), sshd got SIGTERM halfway through a test run.
    static func startOnKeeperThread(_ argv: [String]) throws -> pid_t {
        let outcome = NIOLockedValueBox<Result<pid_t, any Error>?>(nil)
        let started = DispatchSemaphore(value: 0)
        let keeper = Thread {
            outcome.withLockedValue { $0 = Result { try Command.start(argv) } }
            started.signal()
            while true { sleep(86_400) }  // never ends: the fleet's sshd lives as long as the process
        }
        keeper.start()
        started.wait()
        return try outcome.withLockedValue { $0! }.get()
    }

    static func shell(_ arguments: String...) throws {
        if try Command.run(arguments).status != 0 {
            throw FleetUnavailable(reason: "\(arguments.joined(separator: " ")) failed")
        }
    }

    /// A port that was free a moment ago (bind to 0, read it back, close).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bind(fd, sockaddrPointer, length) == 0 && getsockname(fd, sockaddrPointer, &length) == 0
            }
        }
        guard bound else { throw FleetUnavailable(reason: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Whether something accepts TCP connections on `address`:`port` now.
    public static func canConnect(port: Int, address host: String = "127.0.0.1") -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr(host)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
