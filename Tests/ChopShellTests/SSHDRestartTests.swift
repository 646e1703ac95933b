import ChopShell
import Foundation
import TestSupport
import XCTest

/// sshd restarted between two commands (its sessions gone with it): the next operation connects again and its
/// answer is right, from a new agent.
final class SSHDRestartTests: XCTestCase {
    func testTheNextOperationAfterAnSSHDRestartReconnects() async throws {
        let fleet = try requireFleet()
        let sshd = try RestartableSSHD(fleet: fleet)
        defer { sshd.stop() }
        let io = RecordingIO()
        var settings = ShellSettings()
        settings.output = .json
        let session = Session(settings: settings, io: io.io, sshConfigFile: sshd.configFile)
        /// Runs `line`, which must succeed, and returns what it printed.
        func succeeds(_ line: String) async -> String {
            let result = await session.execute(line)
            XCTAssertEqual(result, .ok, "\(line): \(io.takeErr().joined(separator: "\n"))")
            return io.takeOut().joined(separator: "\n")
        }
        /// The agent's PID, as `call os.getpid` answers on the host.
        func agentPID() async throws -> Int {
            let output = await succeeds("call os.getpid")
            let match = try XCTUnwrap(output.firstMatch(of: /"value":(\d+)/), output)
            return try XCTUnwrap(Int(match.1))
        }
        _ = await succeeds("add restartable")
        let first = try await agentPID()

        sshd.stop()
        try sshd.start()

        let second = try await agentPID()
        XCTAssertNotEqual(first, second, "the answer must come from a new agent")
        let echoed = await succeeds("run echo still here")
        XCTAssertTrue(echoed.contains("still here"), echoed)
        await session.close()
    }
}
