import Foundation

/// The interpreter Local members start when the user named none: discovered once per process, then started
/// directly.
///
/// Why: `python3` on PATH is often a shim (pyenv, asdf) that costs a shell and several processes per start. A
/// thousand Local members used to start a thousand shims at once, and most of them hit the connect timeout.
/// The real executable (`sys.executable` of the first usable candidate, the same rules as `Bootstrap`) is found
/// once and every later Local member starts it without the search.
actor LocalInterpreter {
    static let shared = LocalInterpreter()

    private var discovery: Task<String?, Never>?

    /// The executable, or nil when no candidate works (the member then runs the usual discovery script, which
    /// reports why).
    func path() async -> String? {
        if let discovery { return await discovery.value }
        let task = Task.detached { await Self.discover() }
        discovery = task
        return await task.value
    }

    private static func discover() async -> String? {
        let probe =
            "import sys; sys.exit(\(Bootstrap.tooOldStatus)) if sys.version_info < (3, 6) else print(sys.executable)"
        let script = Bootstrap.candidateLoop(Bootstrap.candidates, launch: "-c \(shellQuote(probe))")
        guard let child = try? ChildProcess.spawn(["/bin/sh", "-c", script]) else { return nil }
        close(child.stdinFD)
        close(child.stderrFD)
        let output = readAll(child.stdoutFD, seconds: 10)
        close(child.stdoutFD)
        let status = await child.waitForExit(graceSeconds: 1)
        let path = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0, path.hasPrefix("/"), !path.contains("\n") else { return nil }
        return path
    }

    /// What `fd` gives until its end, for at most `seconds` (a hung shim must not hold every Local member).
    private static func readAll(_ fd: CInt, seconds: Int) -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = ContinuousClock.now + .seconds(seconds)
        while output.count < 65536 {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pollFD, 1, CInt(left.components.seconds * 1000 + 1))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { break }
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            output += buffer[..<count]
        }
        return output
    }
}
