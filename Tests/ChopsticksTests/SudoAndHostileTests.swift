import Chopsticks
import Foundation
import TestSupport
import XCTest

/// A host that answers garbage: a fake allowed by our rules, because it plays a broken or hostile host.
///
/// It prints the connection's marker first, as the bootstrap does (whose line starts with `echo MARKER;`), so
/// what `script` prints is read as frames; with `marker: false` it prints none (a shell that never runs chop's
/// command).
struct HostileHost: TunnelKind {
    let name: String
    let script: String
    var marker = true
    var kindName: String { "hostile" }
    var python: String? { nil }
    func command(script _: String) -> [String] {
        ["/bin/sh", "-c", (marker ? "IFS= read -r c; eval \"${c%%;*}\"; " : "") + script]
    }
}

final class SudoAndHostileTests: XCTestCase {
    func testSudoRunsAsAnotherUser() async throws {
        try require(FileManager.default.isExecutableFile(atPath: "/usr/bin/sudo") ? nil : "sudo not installed")
        let group = try Group([Tunnel(try Sudo(user: "nobody")), Tunnel(try Local("me"))])
        let result = await group.run("id -un")
        XCTAssertEqual(result.map { $0.value?.stdoutText }, ["nobody\n", "\(NSUserName())\n"])
        await group.close()
        await assertNoStrayChildren()
    }

    func testGarbageAndOversizedFramesFailOnlyThatHost() async throws {
        let hostile = [
            // A length field far over the 16 MiB limit.
            HostileHost(name: "huge", script: "printf '\\177\\377\\377\\377'; sleep 30"),
            // A syntactically fine frame with an op nobody knows.
            HostileHost(name: "badop", script: "printf '\\000\\000\\000\\005\\177\\000\\000\\000\\000'; sleep 30"),
            // Not the protocol at all, then EOF.
            HostileHost(name: "chatty", script: "echo 'Welcome to my server!' >&2; echo hello; exit 0"),
        ]
        let group = try Group(hostile.map { Tunnel($0, connectTimeout: 5) } + [Tunnel(try Local("good"))])
        let start = ContinuousClock.now
        let result = await group.run("echo ok")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        XCTAssertEqual(result.successful().map(\.host), ["good"])
        XCTAssertTrue(result[0].error?.msg.contains("exceeds the 16 MiB limit") == true, result[0].error?.msg ?? "")
        XCTAssertTrue(result[1].error?.msg.contains("unknown frame op") == true, result[1].error?.msg ?? "")
        // "hello\n" read as a frame length is far over the limit: refused before anything is buffered.
        XCTAssertEqual(result[2].error?.kind, .protocol)
        // What the host said on stderr is kept for that tunnel.
        XCTAssertEqual(group.tunnels[2].stderr.lines, ["Welcome to my server!"])
        await group.close()
        await assertNoStrayChildren()
    }

    func testSilentHostTimesOut() async throws {
        let group = try Group([Tunnel(HostileHost(name: "silent", script: "sleep 30"), connectTimeout: 1)])
        let start = ContinuousClock.now
        let result = await group.ping()
        XCTAssertEqual(result[0].error?.msg, "timed out after 1 s")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(4))
        await group.close()
        await assertNoStrayChildren()
    }

    func testCancellingWhileAHostIsStillConnectingReturnsAtOnce() async throws {
        let group = try Group([
            Tunnel(HostileHost(name: "silent", script: "sleep 30"), connectTimeout: 30), Tunnel(try Local("good")),
        ])
        let answered = Answered()
        let task = Task {
            await group.each(progress: { host, _ in Task { await answered.add(host) } }) { try await $0.run("echo ok") }
        }
        // Cancel while the silent host is connecting (its script runs) and the good one has answered.
        let connecting = await waitUntil(timeout: 10) {
            let state = group.tunnels[0].state
            let hosts = await answered.hosts
            return state == .connecting && ProcessTree.isRunning("sleep 30") && hosts.contains("good")
        }
        XCTAssertTrue(connecting)
        let start = ContinuousClock.now
        task.cancel()
        let result = await task.value
        // Far below the silent host's 30 s: the cancellation did not wait for its connect.
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
        XCTAssertEqual(result[0].error?.kind, .interrupted)
        XCTAssertEqual(result[1].value?.stdoutText, "ok\n")
        // The interrupted member is not marked down: it will simply connect again next time.
        let state = group.tunnels[0].state
        XCTAssertEqual(state, .idle)
        await group.close()
        await assertNoStrayChildren()
    }
}

/// The hosts that have answered so far, for a test that must act between two answers.
private actor Answered {
    var hosts: [String] = []
    func add(_ host: String) { hosts.append(host) }
}
