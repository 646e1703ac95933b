import Foundation
import NIOConcurrencyHelpers
import TestSupport
import XCTest

@testable import Chopsticks

/// The first request of a connect rides in ssh's command line (`OpeningRequest`), over the real loopback sshd.
final class OpeningRequestTests: XCTestCase {
    /// The REQ frames in `CHOP_FIRST=` of the live processes' command lines, decoded.
    private func carriedRequests() -> [JSONValue] {
        ProcessTree.processesMentioning("CHOP_FIRST=").flatMap { line in
            line.split(separator: " ").flatMap { $0.split(separator: ";") }.compactMap { word -> JSONValue? in
                guard word.hasPrefix("CHOP_FIRST="), let frame = Data(base64Encoded: String(word.dropFirst(11))),
                    frame.count > 9
                else { return nil }
                return try? JSONValue.parse(Array(frame.dropFirst(9)))
            }
        }
    }

    func testTheFirstRunGoesInTheCommandLineAndRunsOnce() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let group = try Group([Tunnel(try fleet.ssh("web1"))])
        let log = "\(folder)/ran"
        let first = await group.run("echo once >> \(log); echo first")
        XCTAssertEqual(try first[0].result.get().stdoutText, "first\n")
        // It went in the command line (ssh here, and the far shell that started the agent, still hold it)...
        // (Only this test's: masters other tests left may hold theirs.)
        let command = JSONValue.string("echo once >> \(log); echo first")
        let carried = carriedRequests().filter { $0["cmd"] == command }
        XCTAssertFalse(carried.isEmpty)
        XCTAssertTrue(carried.allSatisfy { $0 == carried[0] }, "\(carried)")
        XCTAssertEqual(carried.first?["op"], "run")
        // ...and ran once: chop did not send it on stdin too.
        XCTAssertEqual(try String(contentsOfFile: log, encoding: .utf8), "once\n")
        let second = await group.run("echo again")
        XCTAssertEqual(try second[0].result.get().stdoutText, "again\n")
        let pinged = await group.ping()
        XCTAssertEqual(pinged.failures().count, 0)
        await group.close()
        // close() hangs ssh up: the far shell that held the command line ends a moment later, on its own.
        let gone = await waitUntil(timeout: 10) { self.carriedRequests().filter { $0["cmd"] == command }.isEmpty }
        XCTAssertTrue(gone, "\(carriedRequests().filter { $0["cmd"] == command })")
        await assertNoStrayChildren()
    }

    func testStreamedOutputOfTheFirstRunArrivesWhole() async throws {
        let fleet = try requireFleet()
        let tunnel = Tunnel(try fleet.ssh("web2"))
        let pieces = NIOLockedValueBox(Data())
        let group = try Group([tunnel])
        let result = await group.each { member in
            try await member.run("seq 1 2000", onOutput: { piece in pieces.withLockedValue { $0 += piece.bytes } })
        }
        let expected = (1...2000).map(String.init).joined(separator: "\n") + "\n"
        XCTAssertEqual(try result[0].result.get().stdoutText, expected)
        XCTAssertEqual(String(decoding: pieces.withLockedValue { $0 }, as: UTF8.self), expected)
        XCTAssertEqual(carriedRequests().first { $0["cmd"] == "seq 1 2000" }?["stream"], true)
        await group.close()
        await assertNoStrayChildren()
    }

    /// A run's environment and stdin never show in the host's process list: such a request goes on stdin.
    func testARunWithEnvironmentOrStdinStaysOffTheCommandLine() async throws {
        let fleet = try requireFleet()
        let group = try Group([Tunnel(try fleet.ssh("web3"))])
        let secret = "s3cr3t-\(UInt32.random(in: 0...UInt32.max))"
        let result = await group.run("echo \"$CHOP_TEST_SECRET\"", env: ["CHOP_TEST_SECRET": secret])
        XCTAssertEqual(try result[0].result.get().stdoutText, secret + "\n")
        XCTAssertEqual(carriedRequests().filter { $0["cmd"] == "echo \"$CHOP_TEST_SECRET\"" }.count, 0)
        XCTAssertEqual(
            ProcessTree.processesMentioning(secret), [], "neither in a command line nor left in an environment")
        let fed = await group.run("cat", stdin: Data(secret.utf8))
        XCTAssertEqual(try fed[0].result.get().stdoutText, secret)
        await group.close()
        await assertNoStrayChildren()
    }

    /// What may not travel: other ops, requests too long for a command line.
    func testOnlySmallRunsPingsAndFactsAreCarried() {
        XCTAssertNotNil(OpeningRequest.carried("run", ["cmd": "hostname"]))
        XCTAssertNotNil(OpeningRequest.carried("ping", [:]))
        XCTAssertNotNil(OpeningRequest.carried("facts", ["names": .null]))
        XCTAssertNil(OpeningRequest.carried("call", ["func": "os.getcwd"]))
        XCTAssertNil(OpeningRequest.carried("exec", ["source": "1"]))
        XCTAssertNil(OpeningRequest.carried("run", ["cmd": "env", "env": ["A": "b"]]))
        XCTAssertNil(OpeningRequest.carried("run", ["cmd": "cat", "stdin_b64": "eA=="]))
        XCTAssertNil(OpeningRequest.carried("run", ["cmd": .string(String(repeating: "x", count: 5000))]))
        let frame = OpeningRequest.frame(Array("{}".utf8))
        XCTAssertEqual(frame, [0, 0, 0, 7, 1, 0, 0, 0, 1, UInt8(ascii: "{"), UInt8(ascii: "}")])
    }
}
