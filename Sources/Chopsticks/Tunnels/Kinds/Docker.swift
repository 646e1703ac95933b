#if canImport(Glibc)
    import Glibc
#endif

/// A throwaway container: `docker run -i --rm` of an image, with the agent inside. Closing the tunnel
/// removes the container. `engine` may be `podman` (same command line); `on` runs the engine on another
/// host through that SSH tunnel kind (its config, options and BatchMode), so containers elsewhere can join
/// the group.
public struct Docker: TunnelKind {
    public let name: String
    public let image: String
    public let rm: Bool
    public let engine: String
    /// The SSH host whose engine runs the container; nil for this machine.
    public let on: SSH?
    public let python: String?
    public var kindName: String { "docker" }

    public init(
        _ name: String, image: String, rm: Bool = true, engine: String = "docker", on: SSH? = nil,
        python: String? = nil
    ) throws(InvalidTunnel) {
        try validateName(name, what: "container name")
        try validateName(image, what: "image")
        try validateName(engine, what: "engine")
        if let python { try validateName(python, what: "python path") }
        self.name = name
        self.image = image
        self.rm = rm
        self.engine = engine
        self.on = on
        self.python = python
    }

    public func command(script: String) -> [String] {
        var argv = [engine, "run", "-i"]
        if rm { argv.append("--rm") }
        argv += ["--name", name, "--pull", "never", "--", image, "sh", "-c", script]
        return DockerCommand.remote(argv, on: on)
    }

    public func describeFailure(stderr: String) -> String? {
        if let common = DockerCommand.describe(stderr: stderr, engine: engine) { return common }
        if stderr.contains("No such image") || stderr.contains("image not known")
            || stderr.contains("Unable to find image")
        {
            return
                "image \(image) is not present (chop runs \(engine) with --pull never): \(engine) pull \(image) first"
        }
        if stderr.contains("is already in use") {
            return "container name \(name) is already in use: pick another name or '\(engine) rm -f \(name)'"
        }
        return nil
    }

    /// Removes the container even if it outlived its tunnel (e.g. the engine kept it after a kill).
    public func cleanup() async {
        guard rm else { return }
        await DockerCommand.quietly(DockerCommand.remote([engine, "rm", "-f", "--", name], on: on))
    }
}

/// An already running container, attached with `docker exec -i`. Closing the tunnel leaves it running.
public struct DockerExec: TunnelKind {
    public let container: String
    public let engine: String
    public let on: SSH?
    public let python: String?
    public let name: String
    public var kindName: String { "container" }

    public init(
        _ container: String, engine: String = "docker", on: SSH? = nil, python: String? = nil, name: String? = nil
    ) throws(InvalidTunnel) {
        try validateName(container, what: "container name")
        try validateName(engine, what: "engine")
        if let python { try validateName(python, what: "python path") }
        if let name { try validateName(name, what: "name") }
        self.container = container
        self.engine = engine
        self.on = on
        self.python = python
        self.name = name ?? container
    }

    public func command(script: String) -> [String] {
        DockerCommand.remote([engine, "exec", "-i", "--", container, "sh", "-c", script], on: on)
    }

    public func describeFailure(stderr: String) -> String? {
        if let common = DockerCommand.describe(stderr: stderr, engine: engine) { return common }
        if stderr.contains("No such container") || stderr.contains("no such container") {
            return "no container named \(container) (see \(engine) ps)"
        }
        if stderr.contains("is not running") { return "container \(container) is not running" }
        return nil
    }
}

/// What Docker and DockerExec share: running the engine here or over SSH, and reading its errors.
enum DockerCommand {
    /// argv to run `argv` here, or on `host` through ssh, every word quoted for the remote shell.
    static func remote(_ argv: [String], on host: SSH?) -> [String] {
        guard let host else { return argv }
        return host.command(script: argv.map(shellQuote).joined(separator: " "))
    }

    static func describe(stderr: String, engine: String) -> String? {
        if stderr.contains("Cannot connect to the Docker daemon") || stderr.contains("Is the docker daemon running") {
            return "the \(engine) daemon is not running (cannot reach its socket)"
        }
        if stderr.contains("permission denied while trying to connect") {
            return "permission denied on the \(engine) socket: add your user to the docker group"
        }
        if stderr.contains("\(engine): not found") || stderr.contains("\(engine): command not found") {
            return "\(engine) is not installed on that host"
        }
        if stderr.contains("executable file not found") || stderr.contains("\"sh\": not found") {
            return "the container has no /bin/sh (chop needs sh and python3 inside)"
        }
        return nil
    }

    /// Runs a housekeeping command, ignoring its output; bounded by ChildProcess's grace period.
    static func quietly(_ argv: [String]) async {
        let silenced = ["/bin/sh", "-c", "exec \"$@\" >/dev/null 2>&1", "sh"] + argv
        guard let process = try? ChildProcess.spawn(silenced) else { return }
        close(process.stdinFD)
        close(process.stdoutFD)
        close(process.stderrFD)
        await process.waitForExit(graceSeconds: 15)
    }
}
