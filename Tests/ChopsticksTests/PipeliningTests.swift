import Foundation
import TestSupport
import XCTest

@testable import Chopsticks

/// A connect costs no round trip that ssh does not: requests leave right behind the agent, before its hello.
final class PipeliningTests: XCTestCase {
    func testRequestsSentBeforeTheHelloAreEachAnswered() async throws {
        let folder = try temporaryFolder(self)
        // An interpreter that starts late: both requests are surely in the pipe before the agent runs.
        let slow = "\(folder)/slow-python"
        try "#!/bin/sh\nsleep 0.5\nexec python3 \"$@\"\n".write(toFile: slow, atomically: true, encoding: .utf8)
        chmod(slow, 0o755)
        let connection = try await AgentConnection.launch(
            kind: try Local("slow", python: slow), timeout: 10, stderr: StderrLog())
        addTeardownBlock { await connection.shutdown() }
        // Independent requests: the agent may serve a request that runs past its inline limit (10 ms, easily
        // reached on a loaded machine) beside the next one, so the second must not depend on the first's effect.
        let first = Task {
            try await connection.request("exec", ["source": "'first'"], reply: Reply.Exec.self)
        }
        let firstSent = await waitUntil(timeout: 5) { await connection.inFlight == 1 }
        XCTAssertTrue(firstSent)
        let second = Task {
            try await connection.request("exec", ["source": "[1, 2]"], reply: Reply.Exec.self)
        }
        let bothSent = await waitUntil(timeout: 5) { await connection.inFlight == 2 }
        XCTAssertTrue(bothSent)
        let early = await connection.helloArrived
        XCTAssertFalse(early, "both requests were written before the agent said hello")
        _ = try await connection.hello()
        let firstValue = try await first.value.value
        let secondValue = try await second.value.value
        XCTAssertEqual(firstValue, .string("first"))
        XCTAssertEqual(secondValue, .array([.int(1), .int(2)]))
    }

    /// Through a tunnel: the first operation on a member still connecting goes out at once and is answered.
    func testTheFirstOperationRidesTheConnect() async throws {
        let tunnel = Tunnel(try Local("pipelined"))
        let result = try await tunnel.exec("1 + 1")
        XCTAssertEqual(result.value, .int(2))
        XCTAssertEqual(tunnel.state, .up)
        await tunnel.close()
    }
}
