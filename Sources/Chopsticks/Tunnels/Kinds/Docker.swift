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
        try validateNames(["container name": name, "image": image, "engine": engine])
        try validatePython(python)
        (self.name, self.image, self.rm, self.engine, self.on, self.python) = (name, image, rm, engine, on, python)
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
