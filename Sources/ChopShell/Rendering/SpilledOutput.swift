/// The files a host's output went to when it outgrew `keep-bytes` (see `OutputSpill`).
public struct SpilledOutput: Sendable, Equatable {
    public var stdout: String?
    public var stderr: String?

    public init(stdout: String?, stderr: String?) {
        self.stdout = stdout
        self.stderr = stderr
    }
}
