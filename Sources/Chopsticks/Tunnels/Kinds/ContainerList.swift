import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Names of running containers (`docker ps`), for completing `add container`.
public enum ContainerList {
    /// Asks `engine` for its running containers, waiting at most `timeout` seconds; an empty list when the
    /// engine is missing, down or slow, so a caller (a prompt) is never held up by it.
    public static func running(engine: String = "docker", timeout: Double = 2) async -> [String] {
        let argv = ["/bin/sh", "-c", "exec \"$@\" 2>/dev/null", "sh", engine, "ps", "--format", "{{.Names}}"]
        guard let process = try? ChildProcess.spawn(argv) else { return [] }
        close(process.stdinFD)
        close(process.stderrFD)
        // poll() blocks its thread for up to `timeout`: a thread of its own, never one of the shared pool's.
        let fd = process.stdoutFD
        let output = await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: readAll(fd, timeout: timeout)) }
        }
        close(process.stdoutFD)
        process.signalGroup(SIGKILL)
        await process.waitForExit(graceSeconds: 0)
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Reads until end of file, the deadline or 1 MiB, whichever comes first.
    private static func readAll(_ fd: CInt, timeout: Double) -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(timeout)
        var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while Date() < deadline && output.count < 1 << 20 {
            guard poll(&pollFD, 1, 100) >= 0 else { break }
            if pollFD.revents == 0 { continue }
            let count = read(fd, &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        return output
    }
}
