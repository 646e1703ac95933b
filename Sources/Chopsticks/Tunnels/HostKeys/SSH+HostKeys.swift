/// What `trust` needs from an SSH member: where ssh really goes, and the keys the host offers there.
extension SSH {
    /// Resolves the member's HostName, Port, HostKeyAlias and known_hosts files with `ssh -G`, through the
    /// same config file and options the tunnel uses.
    public func hostKeyRoute(timeout: Double = 10) async throws(ErrorResult) -> HostKeyRoute {
        let output: CommandOutput
        do {
            output = try await CommandOutput.run(["ssh", "-G"] + configArguments + ["--", host], timeout: timeout)
        } catch {
            throw ErrorResult("cannot run ssh -G: \(error)")
        }
        guard output.status == 0, let route = HostKeyRoute(sshConfigDump: output.text) else {
            throw ErrorResult("ssh -G \(host) failed: \(output.lastErrorLine ?? "no reason given")")
        }
        return route
    }

    /// The keys the host offers at `route`, by `ssh-keyscan` (every key type it has).
    ///
    /// Nothing here proves the keys are the host's: that is for the user to check against the fingerprints.
    public static func scanKeys(at route: HostKeyRoute, timeout: Int = 5) async throws(ErrorResult) -> [HostKey] {
        let output: CommandOutput
        do {
            output = try await CommandOutput.run(
                ["ssh-keyscan", "-T", String(timeout), "-p", String(route.port), "--", route.hostName],
                timeout: Double(timeout) * 3 + 2)
        } catch {
            throw ErrorResult("cannot run ssh-keyscan: \(error)")
        }
        let keys = output.text.split(whereSeparator: \.isNewline).compactMap { HostKey(knownHostsLine: $0) }
        guard !keys.isEmpty else {
            let reason = output.lastErrorLine.flatMap { $0.hasPrefix("#") ? nil : $0 } ?? "no answer"
            throw ErrorResult(
                "ssh-keyscan got no key from \(route.hostName) port \(route.port): \(reason)", kind: .connection)
        }
        return keys
    }
}
