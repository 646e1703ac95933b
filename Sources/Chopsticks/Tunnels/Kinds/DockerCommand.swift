#if canImport(Glibc)
    import Glibc
#endif

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
