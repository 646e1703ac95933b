import Foundation
import XCTest

@testable import ChopShell
@testable import Chopsticks

/// The library reports what happened as a kind and a cause and names no command of the shell; the shell
/// chooses the hint from them, and shows the same lines as when the library wrote them (issue #26 item 3).
final class FailureHintTests: XCTestCase {
    private static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Sources/Chopsticks")

    /// Every quoted shell command (`'log H'`, `'trust'`, `'set …'`) and add's `--sudo` in the library's code,
    /// outside comments: none may remain.
    func testTheLibrarysTextsNameNoShellCommand() throws {
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: Self.sources.path)).compactMap {
            ($0 as? String).flatMap { $0.hasSuffix(".swift") ? $0 : nil }
        }
        XCTAssertGreaterThan(files.count, 20, Self.sources.path)
        let words =
            CommandRegistry.commandNames.flatMap { ["'\($0)'", "'\($0) "] }
            + [" --sudo\"", "without --sudo", "set --", "or --python"]
        var found: [String] = []
        for file in files {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                for word in words where code.contains(word) { found.append("\(file):\(number + 1): \(word)") }
            }
        }
        XCTAssertEqual(found, [])
    }

    /// What ssh, sudo, doas and su print, classified by the library and shown by the shell: the library's
    /// text holds no hint, the shell's row holds the same hint line as before.
    func testTheShellShowsTheHintsTheLibraryNoLongerWrites() throws {
        let kind = try Local("h")
        let cases: [(stderr: String, kind: ErrorResult.Kind, shown: String)] = [
            (
                "@@@ WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! @@@", .hostKeyChanged,
                "HOST KEY CHANGED: it differs from known_hosts (a reinstalled host, or someone in between); 'log h' "
                    + "shows ssh's warning, 'trust --replace h' replaces it after you check it"
            ),
            (
                "Host key verification failed.", .unknownHostKey,
                "unknown host key: ssh knows no key for h; 'trust' shows its fingerprint and adds it"
            ),
            (
                "sudo: a password is required", .needsPassword,
                "needs password: sudo asks for a password; give it with 'password'"
            ),
            (
                "sudo: 1 incorrect password attempt", .needsPassword,
                "needs password: sudo refused the password; give it again with 'password'"
            ),
            (
                "doas: Authentication required", .connection,
                "unreachable: doas on h asks for a password, which it reads only from a terminal (chop never gives "
                    + "the agent one): give the login user a 'permit nopass' rule in doas.conf, or 'set sudo-tool sudo'"
            ),
            (
                "doas: Operation not permitted", .connection,
                "unreachable: doas on h refused (doas: Operation not permitted): add a rule for the login user to "
                    + "/etc/doas.conf, or 'set sudo-tool sudo'"
            ),
            (
                "su: Authentication failure", .connection,
                "unreachable: su on h asks for the target user's password, which it reads only from a terminal: use "
                    + "su only where chop logs in as root, or 'set sudo-tool sudo'"
            ),
            (
                SudoLaunch.notFoundMarker, .connection,
                "unreachable: sudo not found on h (neither on the login PATH nor in /usr/bin, /bin, /usr/local/bin, "
                    + "/usr/sbin): install it there, or add the host without --sudo"
            ),
            (
                "chop: no usable python (tried: python3)", .connection,
                "unreachable: no Python 3.6+ found on h; install Python 3.6+ there, or name one with add's --python "
                    + "or 'set python'"
            ),
        ]
        for sample in cases {
            let error = FailureText.classify(
                stderr: sample.stderr, exit: "exit status 1", host: "h", kind: kind, timeout: 10)
            XCTAssertEqual(error.kind, sample.kind, sample.stderr)
            XCTAssertFalse(error.msg.contains("'log") || error.msg.contains("'trust") || error.msg.contains("'set"))
            XCTAssertFalse(error.msg.contains("'password'") || error.msg.contains("--sudo"), error.msg)
            XCTAssertEqual(HostOutcome(host: "h", error: error).reason, sample.shown)
        }
    }

    /// The connect's sudo handshake and sudo's own stderr report a refused password as one value.
    func testARefusedPasswordIsOneTypedValue() {
        XCTAssertEqual(ErrorResult.passwordRefused.cause, .passwordRefused)
        XCTAssertEqual(FailureHint.hint(.passwordRefused, host: "h"), "; give it again with 'password'")
        XCTAssertNil(FailureHint.hint(ErrorResult("timed out after 10 s", kind: .timeout), host: "h"))
    }
}
