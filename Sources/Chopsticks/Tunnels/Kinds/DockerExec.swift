#if canImport(Glibc)
    import Glibc
#endif

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
        try validateNames(["container name": container, "engine": engine, "name": name])
        try validatePython(python)
        self.name = name ?? container
        self.container = container
        self.engine = engine
        self.on = on
        self.python = python
    }

    public func command(script: String) -> [String] {
        DockerCommand.remote([engine, "exec", "-i", "--", container, "sh", "-c", script], on: on)
    }

    public func describeFailure(stderr: String) -> String? {
        if let common = DockerCommand.describe(stderr: stderr, engine: engine) { return common }
        if stderr.contains("No such container") || stderr.contains("no such container") {
            return "no container named \(container) (see \(engine) ps)"
        }
        // docker says "is not running"; podman "container state improper".
        if stderr.contains("is not running") || stderr.contains("container state improper") {
            return "container \(container) is not running"
        }
        return nil
    }
}
