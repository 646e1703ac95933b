import ArgumentParser
import ChopShell
import Chopsticks
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `chop`: an interactive shell for a fleet of machines, or a script runner with `-c`, `-f` or a pipe.
public struct Chop: AsyncParsableCommand {
    public static let version = "0.1.0"

    /// What `--version` prints: the release, the commit it was built from, and the wire protocol its agent speaks
    /// (a controller and an agent of different protocol versions refuse each other).
    public static let versionText =
        "chop \(version) (commit \(BuildInfo.commit)), agent protocol \(WireProtocol.version)"

    public static let configuration = CommandConfiguration(
        commandName: "chop",
        abstract: "An interactive shell for a fleet of machines: run commands and Python on many hosts at once.",
        discussion: """
            With no hosts, chop starts with one Local member named 'local'; it leaves the group as soon as \
            another member is added.
            Batch mode (-c, -f, a script file, or commands on a pipe) exits 0 when every operation succeeded \
            on every host, 1 when some host failed, 2 for usage or script errors, 130 after Ctrl-C.

            At start, in every mode and before anything else, chop runs the lines of the user's own defaults \
            file, $XDG_CONFIG_HOME/chop/init.chop (default ~/.config/chop/init.chop), e.g. 'set fanout 128' or \
            'inventory ~/fleet/hosts.yml'; a line that fails is reported as FILE:LINE and skipped. --no-init \
            skips the file.
            """,
        version: versionText
    )

    @Argument(
        help: ArgumentHelp(
            "SSH hosts to add (user@host:port, ranges like web[01-12]); a single existing file is run as a script.",
            valueName: "host"),
        completion: .custom(Chop.completeHosts))
    var hosts: [String] = []

    @Option(name: .customLong("local"), help: ArgumentHelp("Add a Local member with this name.", valueName: "name"))
    var locals: [String] = []

    @Option(name: .customLong("sudo"), help: ArgumentHelp("Add a Sudo member running as this user.", valueName: "user"))
    var sudoUsers: [String] = []

    @Option(
        name: .customLong("hosts-file"), help: "Add the hosts listed in this file (one per line, # comments).",
        completion: .file())
    var hostsFile: String?

    @Option(
        name: [.customShort("i"), .customLong("inventory")],
        help: ArgumentHelp(
            "Read an Ansible inventory or ClusterShell group file (repeatable); 'add @GROUP' adds its hosts.",
            valueName: "file"),
        completion: .file())
    var inventories: [String] = []

    @Option(help: "Seconds a command may run on each host (default: no limit).")
    var timeout: Double?

    @Option(name: .customLong("connect-timeout"), help: "Seconds a host may take to connect.")
    var connectTimeout: Int?

    @Option(
        help: ArgumentHelp(
            "Seconds ssh connections stay open for the next run (default 60), or off.", valueName: "seconds|off"))
    var persist: String?

    @Option(help: "How many hosts to work on at once (default 64).")
    var fanout: Int?

    @Option(help: ArgumentHelp("The Python interpreter on the hosts (default: discover one).", valueName: "path"))
    var python: String?

    @Option(
        name: [.customShort("F"), .customLong("ssh-config")], help: "An ssh config file for SSH hosts.",
        completion: .file())
    var sshConfig: String?

    @Option(
        name: [.customShort("o"), .customLong("ssh-option")],
        help: ArgumentHelp("An ssh -o option.", valueName: "option"))
    var sshOptions: [String] = []

    @Option(
        name: .customShort("c"),
        help: ArgumentHelp("Run these commands (separated by ';') and exit.", valueName: "commands"))
    var commands: String?

    @Option(name: [.customShort("f"), .customLong("file")], help: "Run this script and exit.", completion: .file())
    var file: String?

    @Flag(
        name: [.customShort("e"), .customLong("errexit")],
        help: "Stop a script at the first command where a host failed.")
    var errexit = false

    @Flag(name: [.customShort("q"), .customLong("quiet")], help: "Batch mode: print results only, not each command.")
    var quiet = false

    @Flag(help: "Print one JSON object per operation (same as 'set output json').")
    var json = false

    @Flag(name: .customLong("no-color"), help: "Never colour the output (NO_COLOR is honoured too).")
    var noColor = false

    @Flag(
        name: .customLong("no-init"),
        help: "Do not read the defaults file ($XDG_CONFIG_HOME/chop/init.chop, default ~/.config/chop/init.chop).")
    var noInit = false

    @Option(
        name: .customLong("password-fd"),
        help: ArgumentHelp(
            "Read the sudo password (one line) from this file descriptor, for scripts.", valueName: "fd"))
    var passwordFD: Int32?

    public init() {}

    /// Runs chop. Usage errors exit with 2, as every other usage or script error does (the README's table),
    /// instead of ArgumentParser's 64.
    public static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }

    public mutating func validate() throws {
        if let fanout, fanout < 1 { throw ValidationError("--fanout must be at least 1") }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be more than 0 seconds") }
        if commands != nil && file != nil { throw ValidationError("give either -c or -f, not both") }
    }

    public func run() async throws {
        DescriptorLimit.raiseSoftLimit()
        signal(SIGPIPE, SIG_IGN)
        ProcessRegistry.shared.installTerminationHandlers()
        Interrupts.install()

        var script: (text: String, name: String)?
        var hostArguments = hosts
        if let file {
            script = (try Self.readScript(file), file)
        } else if let commands {
            // Split once, by the script reader, at ';' too: runScript does it (a quoted newline stays).
            script = (commands, "-c")
        } else if hosts.count == 1, Self.isRegularFile(hosts[0]) {
            script = (try Self.readScript(hosts[0]), hosts[0])
            hostArguments = []
        }
        let interactive = script == nil && Terminal.stdinIsTTY

        var settings = ShellSettings()
        if let timeout { settings.timeout = timeout }
        if let connectTimeout { settings.connectTimeout = connectTimeout }
        if let persist {
            do {
                try settings.apply(key: "persist", value: persist)
            } catch {
                throw ValidationError("--persist: \(error)")
            }
        }
        if let fanout { settings.fanout = fanout }
        if json { settings.output = .json }
        if noColor || ProcessInfo.processInfo.environment["NO_COLOR"].map({ !$0.isEmpty }) == true {
            settings.color = .off
        }
        settings.python = python
        settings.errexit = errexit

        var password: Secret?
        if let passwordFD {
            guard let secret = PasswordInput.read(fd: passwordFD) else {
                throw ValidationError("--password-fd \(passwordFD): nothing to read there (give an open descriptor)")
            }
            password = secret
        }
        let console = Console(interactive: interactive)
        let session = Session(
            settings: settings, io: console.io(colorAllowed: settings.color != .off), sshConfigFile: sshConfig,
            sshOptions: sshOptions, resultsFolder: Self.resultsFolder(), sudoPassword: password,
            connectsOnAdd: script == nil)

        if !noInit { await InitFile(path: InitFile.defaultPath).run(in: session) }

        // The starting group, after the inventories (which add no member themselves).
        var adds: [String] = []
        if !inventories.isEmpty {
            adds.append("inventory " + inventories.map(CommandLineSplitter.quote).joined(separator: " "))
        }
        var listed = hostArguments
        if let hostsFile {
            guard let text = try? String(contentsOfFile: hostsFile, encoding: .utf8) else {
                throw ValidationError("cannot read hosts file \(hostsFile)")
            }
            listed += text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        }
        if !listed.isEmpty { adds.append("add " + listed.map(CommandLineSplitter.quote).joined(separator: " ")) }
        adds += locals.map { "add local \(CommandLineSplitter.quote($0))" }
        adds += sudoUsers.map { "add sudo \(CommandLineSplitter.quote($0))" }
        for line in adds where await session.execute(line) == .error {
            await session.close()
            throw ExitCode(2)
        }
        // chop given no hosts at all starts with this machine (interactive, and `chop -c "run uname -s"` alike);
        // it leaves when a member is added. Not when hosts were asked for and none came (an empty hosts file):
        // a fleet command must never reach this machine by surprise.
        let askedForHosts =
            !hosts.isEmpty || hostsFile != nil || !locals.isEmpty || !sudoUsers.isEmpty
        if !askedForHosts, await session.members().isEmpty {
            // A script connects it on first use: one that adds its hosts starts no local agent beside their ssh.
            await session.addImplicitLocal(announced: interactive, connectNow: interactive)
        }

        let status: Int32
        if let script {
            status = await BatchRunner(session: session, echo: !quiet).run(
                script.text, name: script.name, semicolons: commands != nil && file == nil)
        } else if interactive {
            status = await InteractiveShell(session: session).run()
        } else {
            status = await BatchRunner(session: session, echo: !quiet).runStandardInput()
        }
        await session.close()
        while ProcessRegistry.shared.isTerminating {
            // The SIGTERM handler exits with 143 once the children are gone.
            try? await Task.sleep(for: .milliseconds(50))
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// Where this chop puts output that outgrew `keep-bytes`: `$XDG_STATE_HOME/chop/results/<pid>`, one folder
    /// per process so two sessions never share files; removed at exit.
    static func resultsFolder() -> String {
        Terminal.stateFolder + "/chop/results/\(getpid())"
    }

    static func isRegularFile(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
    }

    static func readScript(_ path: String) throws -> String {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read script \(path)")
        }
        return text
    }

    /// Host names for shell completion of `chop <Tab>`: ssh config aliases, known_hosts, /etc/hosts.
    @Sendable static func completeHosts(_ arguments: [String], _ index: Int, _ prefix: String) -> [String] {
        KnownHostNames.all(home: Terminal.home).filter { $0.hasPrefix(prefix) }
    }
}
