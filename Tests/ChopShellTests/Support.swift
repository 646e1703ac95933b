import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// The built chop binary, or a skip (a failure in CI). Batch mode needs nothing more: no tmux.
func requireChop() throws {
    try require(FileManager.default.isExecutableFile(atPath: Tmux.chopBinary) ? nil : "chop not built")
}

/// tmux and the built chop binary, or a skip (a failure in CI).
func requireTerminal() throws {
    let missing =
        !Tmux.available
        ? "tmux not installed" : !FileManager.default.isExecutableFile(atPath: Tmux.chopBinary) ? "chop not built" : nil
    try require(missing)
}

/// Runs the chop binary in batch mode (with `environment` added to the test's own) and returns its exit status,
/// stdout and stderr.
func runChop(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:], folder: String) throws
    -> (status: Int32, out: String, err: String)
{
    let out = "\(folder)/out-\(UUID().uuidString.prefix(6))"
    let err = out + ".err"
    let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
    var line =
        (["env"] + assignments + [Tmux.chopBinary] + arguments).map(shellQuote).joined(separator: " ")
        + " >\(out) 2>\(err)"
    if let stdin {
        let input = out + ".in"
        try stdin.write(toFile: input, atomically: true, encoding: .utf8)
        line += " <\(input)"
    } else {
        line += " </dev/null"
    }
    let status = try Command.run(["/bin/sh", "-c", line]).status
    let stdout = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
    let stderr = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
    return (status, stdout, stderr)
}

/// Runs the `sh` command line `command` as the sudo password user (`SSHFleet.sudoUser`), its stderr merged into
/// its stdout: how tests start chop as a user whose sudo, doas and su ask for a password.
func runAsSudoUser(_ command: String) throws -> (status: Int32, output: String) {
    try Command.run(["su", SSHFleet.sudoUser, "-s", "/bin/sh", "-c", "\(command) 2>&1"])
}

/// Runs `line` in `session` and checks what it came to; the line is the failure message.
func expect(
    _ session: Session, _ line: String, _ expected: CommandResult, file: StaticString = #filePath,
    line number: UInt = #line
) async {
    let result = await session.execute(line)
    XCTAssertEqual(result, expected, line, file: file, line: number)
}
