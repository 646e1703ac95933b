/// Names of running containers (`docker ps`), for completing `add container`.
public enum ContainerList {
    /// Asks `engine` for its running containers, waiting at most `timeout` seconds; an empty list when the
    /// engine is missing, down or slow, so a caller (a prompt) is never held up by it.
    public static func running(engine: String = "docker", timeout: Double = 2) async -> [String] {
        guard let output = try? await CommandOutput.run([engine, "ps", "--format", "{{.Names}}"], timeout: timeout)
        else { return [] }
        return output.text.split(separator: "\n").map(String.init)
    }
}
