import Foundation
import NIOConcurrencyHelpers

/// A working directory per member (`cd`): the agent itself changes directory, so everything that runs there
/// uses it without being told: `run` and `script` processes inherit it, relative `put`/`fetch` paths resolve
/// against it, and `py` sees it in `os.getcwd()`.
extension Tunnel {
    /// The directory `changeDirectory` entered (absolute), or nil while the agent is where it started.
    public nonisolated var directory: String? { directoryBox.withLockedValue { $0 } }

    /// Enters `path` on the far side (`~` expanded there; relative to the current directory) and keeps it for
    /// the next agents after a reconnect. A directory that is missing or not enterable throws the host's reason
    /// (`FileNotFoundError: [Errno 2] No such file or directory: '/x'`) and leaves the directory as it was.
    /// Nil goes to the home directory. The value is the absolute directory now in use.
    public func changeDirectory(to path: String?) async throws -> EvalResult {
        let expression = Self.chdirExpression(path ?? "~")
        let reply = try await perform {
            try await $0.request("eval", ["expr": .string(expression)], reply: Reply.Eval.self)
        }
        if case .string(let entered) = reply.value {
            directoryBox.withLockedValue { $0 = entered }
        }
        return EvalResult(
            value: reply.value == .null ? JSONValue?.none : reply.value, repr: reply.repr, isTrue: reply.truth,
            stdout: reply.stdout, stderr: reply.stderr)
    }

    /// One expression that enters `path` and gives the absolute directory: an expression leaves nothing in the
    /// namespace `py` shares, and `os` comes from `__import__` so a user's own `os` name cannot stand in.
    static func chdirExpression(_ path: String) -> String {
        let literal = String(decoding: JSONWriter(nonFinite: .token).bytes(.string(path)), as: UTF8.self)
        return "(lambda os: (os.chdir(os.path.expanduser(\(literal))), os.getcwd())[1])(__import__('os'))"
    }

    /// A new agent (after a reconnect) enters the directory the last one was in. One that is gone since is a
    /// line in the tunnel's log and the agent stays where it started: the host stays usable, and `pwd` tells.
    static func reenter(_ box: NIOLockedValueBox<String?>, on connection: AgentConnection, log: StderrLog)
        async throws
    {
        guard let path = box.withLockedValue({ $0 }) else { return }
        do {
            _ = try await connection.request(
                "eval", ["expr": .string(chdirExpression(path))], reply: Reply.Eval.self)
        } catch let error as ErrorResult where error.kind == .remote {
            box.withLockedValue { $0 = nil }
            log.append(Array("chop: cannot enter \(path) again after reconnecting (\(error.msg)); cd to choose\n".utf8))
        } catch {
            await connection.shutdown()
            throw error
        }
    }
}
