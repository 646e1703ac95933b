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
        guard let output = try? await CommandOutput.run(["/bin/sh", "-c", script], timeout: 10, limit: 65536)
        else { return nil }
        let path = output.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard output.status == 0, path.hasPrefix("/"), !path.contains("\n") else { return nil }
        return path
    }
}
