import Foundation

/// What `trust` needs for a leaf, asked of its gateway: the leaf's ssh runs there, so its route, the keys the
/// host offers and the known_hosts file that gets them are the gateway's.
extension GatewayLeaf {
    /// The leaf's `ssh -G`, run on its gateway with the leaf's own config file and options.
    public func hostKeyRoute(timeout: Double = 10) async throws(ErrorResult) -> HostKeyRoute {
        guard let ssh = leaf as? SSH else { throw ErrorResult("a \(leaf.kindName) leaf has no ssh host key") }
        let output = try await runOnGateway(["ssh", "-G"] + ssh.configArguments + ["--", ssh.host], timeout: timeout)
        guard output.status == 0, let route = HostKeyRoute(sshConfigDump: output.stdoutText) else {
            let reason = output.stderrText.split(whereSeparator: \.isNewline).last.map(String.init) ?? "no reason given"
            throw ErrorResult("ssh -G \(ssh.host) on \(gateway.name) failed: \(reason)")
        }
        return route
    }

    /// The keys the host offers at `route`, by `ssh-keyscan` on the gateway.
    public func scanKeys(at route: HostKeyRoute, timeout: Int = 5) async throws(ErrorResult) -> [HostKey] {
        let output = try await runOnGateway(
            ["ssh-keyscan", "-T", String(timeout), "-p", String(route.port), "--", route.hostName],
            timeout: Double(timeout) * 3 + 2)
        let keys = output.stdoutText.split(whereSeparator: \.isNewline).compactMap { HostKey(knownHostsLine: $0) }
        guard !keys.isEmpty else {
            throw ErrorResult(
                "ssh-keyscan on \(gateway.name) got no key from \(route.hostName) port \(route.port)",
                kind: .connection)
        }
        return keys
    }

    /// Appends known_hosts lines to `file` on the gateway (`~/` is the gateway's home), made 0600 if new.
    public func appendKnownHosts(_ lines: [String], to file: String) async throws(ErrorResult) {
        let path = file.hasPrefix("~/") ? "\"$HOME\"/" + shellQuote(String(file.dropFirst(2))) : shellQuote(file)
        let command = "umask 077; mkdir -p \"$(dirname \(path))\" && cat >> \(path)"
        let output: RunResult
        do {
            output = try await gateway.run(
                command, stdin: Data((lines.joined(separator: "\n") + "\n").utf8), timeout: 10)
        } catch {
            throw ErrorResult("gateway \(gateway.name): \(ErrorResult(error).msg)")
        }
        guard output.status == 0 else {
            throw ErrorResult("cannot add to \(file) on \(gateway.name): \(output.stderrText)")
        }
    }

    private func runOnGateway(_ argv: [String], timeout: Double) async throws(ErrorResult) -> RunResult {
        do {
            return try await gateway.run(argv.map(shellQuote).joined(separator: " "), timeout: timeout)
        } catch {
            throw ErrorResult("gateway \(gateway.name): \(ErrorResult(error).msg)")
        }
    }
}
