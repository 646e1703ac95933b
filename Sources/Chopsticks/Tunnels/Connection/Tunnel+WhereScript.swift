import Foundation

extension Tunnel {
    /// Evaluates one Python expression in the namespace `exec` uses (modules it names are imported for it) and
    /// returns its value and Python's `bool()` of it. Statements are refused: "not a Python expression: …".
    public func eval(_ expression: String) async throws -> EvalResult {
        let reply = try await perform {
            try await $0.request("eval", ["expr": .string(expression)], reply: Reply.Eval.self)
        }
        return EvalResult(
            value: reply.value == .null ? JSONValue?.none : reply.value, repr: reply.repr, isTrue: reply.truth,
            stdout: reply.stdout, stderr: reply.stderr)
    }

    /// Runs a script on the far side, in one request: its bytes are written to a private temporary directory
    /// (mode 0700) there, started with the interpreter of its `#!` line (or `/bin/sh`) and `arguments`, and
    /// removed when it ends, fails, times out, is cancelled or the connection drops. `name` is the file's name
    /// there (what the script sees as `$0`'s last part). Otherwise as `run`.
    public func script(
        _ script: Data, name: String = "script", arguments: [String] = [], stdin: Data? = nil, timeout: Double? = nil,
        env: [String: String]? = nil, cwd: String? = nil, outputCap: Int = 1 << 20,
        onOutput: (@Sendable (RunOutput) -> Void)? = nil
    ) async throws -> RunResult {
        guard script.count <= Self.maximumScriptBytes else {
            throw ErrorResult(
                "script too large: \(script.count) bytes, at most \(Self.maximumScriptBytes); use put and run",
                kind: .local)
        }
        var params: [String: JSONValue] = [
            "script_b64": .string(script.base64EncodedString()), "name": .string(name),
            "args": .array(arguments.map(JSONValue.string)), "cap": .int(Int64(outputCap)),
        ]
        if let stdin { params["stdin_b64"] = .string(stdin.base64EncodedString()) }
        if let timeout { params["timeout"] = .double(timeout) }
        if let env { params["env"] = .object(env.mapValues { .string($0) }) }
        if let cwd { params["cwd"] = .string(cwd) }
        return try await runRequest("script", params, outputCap: outputCap, onOutput: onOutput)
    }

    /// The largest script `script` sends: it travels base64-encoded in one request frame (16 MiB at most).
    public static let maximumScriptBytes = 8 << 20
}
