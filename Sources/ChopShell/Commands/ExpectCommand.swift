import Chopsticks

/// `expect ok` or `expect failed HOST...`: an assertion about the last result, so a script doubles as a check.
public struct ExpectCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "expect",
        helpOrder: 390,
        synopsis: "expect ok | expect failed HOST...",
        summary: "check the last result; a script stops when it does not hold",
        help: """
            expect ok: no host failed. expect failed HOST...: exactly those hosts failed (ranges allowed).

            Examples:
              expect ok
              expect failed web[3-4]
            """)

    /// What `expect` asserts about the last result.
    public enum Condition: Sendable, Equatable {
        /// Every host succeeded.
        case ok
        /// The named hosts failed; the words are kept raw (ranges, lists) for the session to expand.
        case failed([String])
    }

    public var condition: Condition

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> ExpectCommand {
        let words = arguments.words
        switch words.first {
        case "ok":
            guard words.count == 1 else { throw arguments.error("expect ok takes nothing more") }
            return ExpectCommand(condition: .ok)
        case "failed":
            guard words.count > 1 else { throw arguments.error("expect failed needs the hosts that failed") }
            return ExpectCommand(condition: .failed(Array(words.dropFirst())))
        case nil:
            throw arguments.error("expect needs ok or failed")
        case let other?:
            throw arguments.error("expect needs ok or failed, not '\(other)'")
        }
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? ["ok", "failed"] : context.members
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        guard let report = session.lastReport else { throw ShellError("expect: no result yet to check") }
        let failed = report.failedHosts
        switch condition {
        case .ok:
            if failed.isEmpty { return .ok }
            throw ShellError("expect ok: failed on \(NodeSet.fold(failed)) (\(report.operation))")
        case .failed(let hosts):
            var expected: [String] = []
            for host in hosts {
                do {
                    expected += try NodeSet.expand(host.hasPrefix("@") ? String(host.dropFirst()) : host)
                } catch {
                    throw ShellError("expect failed: bad host list '\(host)': \(error)")
                }
            }
            if Set(expected) == Set(failed) { return .ok }
            let actual = failed.isEmpty ? "nothing failed" : "failed: \(NodeSet.fold(failed))"
            throw ShellError("expect failed \(NodeSet.fold(expected)): \(actual) (\(report.operation))")
        }
    }
}
