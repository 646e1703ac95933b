/// What an agent connection needs of the thing that runs its agent: a child process here, or a leaf's tunnel
/// on its gateway (`LeafRoute`), so the connection ends both the same way.
protocol AgentChild: Sendable {
    /// Stops the agent's tunnel and everything it started.
    func signalGroup(_ signal: CInt)
    /// Waits for the tunnel to end, at most `graceSeconds`, then ends it. The raw wait status, or nil.
    @discardableResult
    func waitForExit(graceSeconds: Double) async -> CInt?
}

extension ChildProcess: AgentChild {}
