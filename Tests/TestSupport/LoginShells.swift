import Chopsticks
import Foundation
import XCTest

/// Real accounts as real hosts have them, behind a second loopback sshd (the main fleet stays untouched): one
/// account per login shell, and accounts whose rc files print, break PATH, or that cannot run a command at all.
///
/// The accounts come from `.ci/shell-users-up`; this sshd, its aliases and `chop-bash`'s `.bashrc` are made here.
/// Aliases (all with the fleet's key and known_hosts):
/// - `login-dash` `login-bash` `login-zsh` `login-ksh` `login-fish` `login-tcsh` `login-csh` `login-ash`: account
///   `chop-SHELL` whose login shell is that one;
/// - `rc-VARIANT`: account `chop-bash` with `CHOP_RC=VARIANT`, which its `.bashrc` reads (`rcFile`);
/// - `nologin`, `false`, `nohome`, `tty`, `keephome`: accounts `chop-NAME` (see the script);
/// - `forced`: `chop-bash` through an sshd `ForceCommand` that only prints a line.
/// The server also has a `Banner` and `PrintMotd yes`.
public final class LoginShells: Sendable {
    public static let shells = ["dash", "bash", "zsh", "ksh", "fish", "tcsh", "csh", "ash"]
    public static let shellPaths = [
        "dash": "/bin/dash", "bash": "/bin/bash", "zsh": "/usr/bin/zsh", "ksh": "/usr/bin/ksh",
        "fish": "/usr/bin/fish", "tcsh": "/usr/bin/tcsh", "csh": "/usr/bin/csh",
        "ash": "/usr/local/libexec/chop-test/ash",
    ]
    /// What `chop-bash`'s `.bashrc` does for each `rc-VARIANT` alias.
    public static let rcFile = #"""
        case "$CHOP_RC" in
        banner) echo "Welcome to $(hostname)"; echo "Authorized use only. chop chop-agent- chop";;
        nonewline) printf 'conda: base activated';;
        framelike) printf '\000\000\000\020{"agent": 1, "op": 2}';;
        large) i=0; while [ $i -lt 1000 ]; do echo "line $i of a banner that is longer than a pipe's atomic write"; i=$((i+1)); done;;
        endless) i=0; while [ $i -lt 5000 ]; do echo "line $i of an rc file that never stops talking"; i=$((i+1)); done;;
        escape) printf '\033]0;pwned\007\033[31mred\033[0m\n';;
        path) PATH=/nonexistent; export PATH;;
        fakesudo) PATH=$HOME/.fake-bin:$PATH; export PATH;;
        esac

        """#
    public static let bannerText = "Authorized access only: this banner is the server's\n"

    public let configFile: String
    public let home: String

    public static let shared: Result<LoginShells, SSHFleet.FleetUnavailable> = {
        do {
            return .success(try LoginShells())
        } catch let error as SSHFleet.FleetUnavailable {
            return .failure(error)
        } catch {
            return .failure(SSHFleet.FleetUnavailable(reason: "\(error)"))
        }
    }()

    private init() throws {
        guard case .success(let fleet) = SSHFleet.shared else {
            throw SSHFleet.FleetUnavailable(reason: "the main sshd fleet is unavailable")
        }
        let missing = (Self.shells.map { "chop-\($0)" } + ["chop-nologin", "chop-false", "chop-nohome", "chop-tty"])
            .filter { (try? Command.run(["id", $0]).status) != 0 }
        guard missing.isEmpty else {
            throw SSHFleet.FleetUnavailable(
                reason: "no user \(missing.joined(separator: ", ")): run .ci/shell-users-up as root")
        }
        let dir = fleet.directory
        home = "/home/chop-bash"
        try Self.rcFile.write(toFile: "\(home)/.bashrc", atomically: true, encoding: .utf8)
        _ = try Command.run(["chown", "chop-bash:", "\(home)/.bashrc"])
        try Self.bannerText.write(toFile: "\(dir)/banner", atomically: true, encoding: .utf8)
        let port = try SSHFleet.freePort()
        let server = """
            Port \(port)
            ListenAddress 127.0.0.10
            ListenAddress 127.0.0.11
            HostKey \(dir)/host_key
            PidFile \(dir)/shells-sshd.pid
            AuthorizedKeysFile \(dir)/authorized_keys
            PermitRootLogin no
            AllowUsers chop-*
            UsePAM no
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            MaxStartups 1000
            MaxSessions 1000
            LogLevel ERROR
            AcceptEnv CHOP_RC
            Banner \(dir)/banner
            PrintMotd yes
            Match LocalAddress 127.0.0.11
                ForceCommand /bin/echo this account only shows a menu

            """
        try server.write(toFile: "\(dir)/shells_sshd_config", atomically: true, encoding: .utf8)
        func alias(_ name: String, user: String, address: String = "127.0.0.10", rc: String? = nil) -> String {
            "Host \(name)\n    HostName \(address)\n    Port \(port)\n    HostKeyAlias chopfleet\n    User \(user)\n"
                + (rc.map { "    SetEnv CHOP_RC=\($0)\n" } ?? "")
        }
        var client = ""
        for shell in Self.shells { client += alias("login-\(shell)", user: "chop-\(shell)") }
        for variant in ["banner", "nonewline", "framelike", "large", "endless", "escape", "path", "fakesudo"] {
            client += alias("rc-\(variant)", user: "chop-bash", rc: variant)
        }
        for name in ["nologin", "false", "nohome", "tty", "keephome"] { client += alias(name, user: "chop-\(name)") }
        client += alias("forced", user: "chop-bash", address: "127.0.0.11")
        client += """
            Host *
                IdentityFile \(dir)/client_key
                IdentitiesOnly yes
                UserKnownHostsFile \(dir)/known_hosts
                GlobalKnownHostsFile /dev/null
                StrictHostKeyChecking yes
                BatchMode yes
                ControlMaster no
                ControlPath \(dir)/cm-%C

            """
        configFile = "\(dir)/shells_ssh_config"
        try client.write(toFile: configFile, atomically: true, encoding: .utf8)
        let exec = "import ctypes,os,sys; ctypes.CDLL(None).prctl(1, 15); os.execv(sys.argv[1], sys.argv[1:])"
        let pid = try SSHFleet.startOnKeeperThread([
            "python3", "-c", exec, "/usr/sbin/sshd", "-D", "-f", "\(dir)/shells_sshd_config",
        ])
        SSHFleet.started.withLockedValue { $0.append(pid) }
        if eventually(timeout: 5, { SSHFleet.canConnect(port: port, address: "127.0.0.10") }) { return }
        kill(pid, SIGTERM)
        throw SSHFleet.FleetUnavailable(reason: "the login shells' sshd did not start on port \(port)")
    }

    /// An SSH tunnel kind for alias `name`.
    public func ssh(_ name: String, sudo: Bool = false, connectTimeout: Int = 10) throws -> SSH {
        try SSH(name, sudo: sudo, configFile: configFile, connectTimeout: connectTimeout)
    }
}

/// The login shell accounts and their sshd, or a skip (a failure in CI, which makes them with
/// `.ci/shell-users-up`).
public func requireLoginShells() throws -> LoginShells {
    _ = try requireFleet()
    switch LoginShells.shared {
    case .success(let shells):
        return shells
    case .failure(let error):
        if ProcessInfo.processInfo.environment["CI"] != nil {
            XCTFail("CI must create the login shell accounts with .ci/shell-users-up: \(error.reason)")
        }
        throw XCTSkip("login shell accounts unavailable: \(error.reason)")
    }
}
