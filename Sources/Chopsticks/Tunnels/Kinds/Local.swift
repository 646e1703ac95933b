/// The agent as a subprocess of the controller: useful with no hosts at all, and for tests.
public struct Local: TunnelKind {
    public let name: String
    public let python: String?
    public var kindName: String { "local" }

    public init(_ name: String = "local", python: String? = nil) throws(InvalidTunnel) {
        try validateNames(["name": name])
        try validatePython(python)
        self.name = name
        self.python = python
    }

    /// The named interpreter, or the one `python3` (or the next candidate) really is, found once per process.
    public func interpreter() async -> String? {
        if let python { return python }
        return await LocalInterpreter.shared.path()
    }

    public func command(script: String) -> [String] { ["/bin/sh", "-c", script] }
}
