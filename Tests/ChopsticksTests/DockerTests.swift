import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Docker members on a real engine (started by .ci/docker-up). Where no engine can run, every test here
/// is skipped with the reason: never counted as passed.
final class DockerTests: XCTestCase {
    static let image = "chop-python:test"
    static let bare = "chop-nopython:test"

    func requireDocker() throws {
        guard (try? Command.run(["docker", "info"]).status) == 0 else {
            throw XCTSkip("no Docker engine is running here (.ci/docker-up starts one)")
        }
        guard (try? Command.run(["docker", "image", "inspect", Self.image]).status) == 0 else {
            throw XCTSkip("image \(Self.image) missing (.ci/docker-image builds it)")
        }
    }

    func uniqueName(_ base: String) -> String { "chop-\(base)-\(UUID().uuidString.prefix(6).lowercased())" }

    /// Names of all containers (running or not) whose name starts with `prefix`.
    func containers(_ prefix: String) -> [String] {
        let output = (try? Command.run(["docker", "ps", "-a", "--format", "{{.Names}}"]).output) ?? ""
        return output.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    func testThrowawayContainersBesideLocalAndSSHMembers() async throws {
        try requireDocker()
        let first = uniqueName("a")
        let second = uniqueName("b")
        var tunnels = [
            Tunnel(try Docker(first, image: Self.image), connectTimeout: 30),
            Tunnel(try Docker(second, image: Self.image), connectTimeout: 30), Tunnel(try Local("here")),
        ]
        if case .success(let fleet) = SSHFleet.shared { tunnels.append(Tunnel(try fleet.ssh("web1"))) }
        let group = try Group(tunnels)
        let folder = try temporaryFolder(self)
        let runs = await group.run("cat /etc/os-release")
        XCTAssertEqual(runs.failures().count, 0, "\(runs.failures().map { $0.error?.msg ?? "" })")
        XCTAssertEqual(runs[0].value?.stdoutText, "ID=chop-test\n")
        let calls = await group.call("socket.gethostname")
        XCTAssertEqual(calls.successful().count, tunnels.count)
        try "shipped\n".write(toFile: "\(folder)/payload", atomically: true, encoding: .utf8)
        let puts = await group.put("\(folder)/payload", "/tmp/payload")
        XCTAssertEqual(puts.failures().count, 0)
        let fetched = await group.fetch("/tmp/payload", to: "\(folder)/back/{host}")
        XCTAssertEqual(fetched.failures().count, 0)
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/back/\(first)", encoding: .utf8), "shipped\n")
        XCTAssertEqual(containers(first), [first])
        await group.close()
        XCTAssertEqual(containers(first) + containers(second), [], "throwaway containers must be removed")
    }

    func testAttachToARunningContainerAndLeaveItRunning() async throws {
        try requireDocker()
        let name = uniqueName("running")
        let started = try Command.run([
            "docker", "run", "-d", "--pull", "never", "--name", name, Self.image, "python3", "-c",
            "import time; time.sleep(600)",
        ])
        XCTAssertEqual(started.status, 0)
        defer { _ = try? Command.run(["docker", "rm", "-f", name]) }
        let tunnel = Tunnel(try DockerExec(name))
        let result = try await tunnel.run("echo inside; cat /etc/os-release")
        XCTAssertEqual(result.stdoutText, "inside\nID=chop-test\n")
        XCTAssertEqual(tunnel.kind.kindName, "container")
        await tunnel.close()
        let state = try Command.run(["docker", "inspect", "-f", "{{.State.Running}}", name]).output
        XCTAssertEqual(state.trimmingCharacters(in: .whitespacesAndNewlines), "true")
    }

    func testEveryFailureIsAClearErrorNeverAHang() async throws {
        try requireDocker()
        let folder = try temporaryFolder(self)
        let taken = uniqueName("taken")
        XCTAssertEqual(
            try Command.run(["docker", "create", "--pull", "never", "--name", taken, Self.image, "true"]).status, 0)
        defer { _ = try? Command.run(["docker", "rm", "-f", taken]) }
        // An engine whose daemon is unreachable, and one that is not installed at all.
        let noDaemon = "\(folder)/docker-no-daemon"
        try "#!/bin/sh\nDOCKER_HOST=unix:///nonexistent/docker.sock exec docker \"$@\"\n".write(
            toFile: noDaemon, atomically: true, encoding: .utf8)
        chmod(noDaemon, 0o755)
        let cases: [(any TunnelKind, String)] = [
            (try Docker(uniqueName("noimage"), image: "chop-missing:none"), "is not present"),
            (try Docker(taken, image: Self.image), "already in use"),
            (try Docker(uniqueName("nopy"), image: Self.bare), "no Python 3.6+ found"),
            (try DockerExec(taken, name: "stopped-\(taken)"), "is not running"),
            (try DockerExec(uniqueName("ghost")), "no container named"),
            (try Docker(uniqueName("nodaemon"), image: Self.image, engine: noDaemon), "daemon is not running"),
            (try Docker(uniqueName("noengine"), image: Self.image, engine: "/nonexistent/docker"), "not found"),
        ]
        let group = try Group(cases.map { Tunnel($0.0, connectTimeout: 30) })
        let start = ContinuousClock.now
        let result = await group.ping()
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(30))
        for (entry, (_, expected)) in zip(result, cases) {
            let message = entry.error?.msg ?? "no error"
            XCTAssertTrue(message.contains(expected), "\(entry.host): expected '\(expected)', got '\(message)'")
        }
        await group.close()
    }

    func testContainerRemovedFromOutsideFailsOnlyThatMember() async throws {
        try requireDocker()
        let name = uniqueName("victim")
        let group = try Group([
            Tunnel(try Docker(name, image: Self.image), connectTimeout: 30), Tunnel(try Local("ok")),
        ])
        _ = await group.connect()
        let killer = Task {
            // Remove the container while the command runs in it.
            await waitUntil(timeout: 20) {
                ((try? Command.run(["docker", "top", name]))?.output ?? "").contains("sleep 3")
            }
            _ = try Command.run(["docker", "rm", "-f", name])
        }
        let start = ContinuousClock.now
        let result = await group.run("sleep 3; echo done")
        _ = try await killer.value
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
        XCTAssertEqual(result[0].error?.kind, .connection, result[0].error?.msg ?? "no error")
        XCTAssertEqual(result[1].value?.stdoutText, "done\n")
        await group.close()
        XCTAssertEqual(containers(name), [])
    }

    func testContainerOnAnotherHostThroughSSH() async throws {
        try requireDocker()
        let fleet = try requireFleet()
        let name = uniqueName("remote")
        let tunnel = Tunnel(try Docker(name, image: Self.image, on: try fleet.ssh("web2")), connectTimeout: 30)
        let result = try await tunnel.run("cat /etc/os-release")
        XCTAssertEqual(result.stdoutText, "ID=chop-test\n")
        XCTAssertEqual(containers(name), [name])
        await tunnel.close()
        XCTAssertEqual(containers(name), [], "the remote throwaway container must be removed")
    }
}
