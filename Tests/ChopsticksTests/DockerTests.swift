import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Docker members on real engines: Docker (started by .ci/docker-up) and podman (set up by .ci/podman-up).
/// Each case runs once per engine (`testX` with docker, `testXPodman` with podman). Where an engine cannot
/// run, its tests are skipped with the reason: never counted as passed.
final class DockerTests: XCTestCase {
    static let image = "chop-python:test"
    static let bare = "chop-nopython:test"

    /// The engine a case runs on; set by `requireEngine`.
    private var engine = "docker"

    func requireEngine(_ engine: String) throws {
        self.engine = engine
        let setup = engine == "docker" ? ".ci/docker-up starts one" : ".ci/podman-up sets it up"
        if (try? Command.run([engine, "info"]).status) != 0 {
            // .ci/run keeps the set-up script's one-line verdict: the exact reason the engine cannot run here.
            let verdict = try? String(contentsOfFile: "/tmp/chop-\(engine)-up.txt", encoding: .utf8)
            let reason = verdict?.split(separator: "\n").last.map(String.init) ?? setup
            try require("no \(engine) engine can run here: \(reason)")
        }
        try require(
            (try? Command.run([engine, "image", "inspect", Self.image]).status) == 0
                ? nil : "image \(Self.image) missing for \(engine) (\(setup))")
    }

    func uniqueName(_ base: String) -> String { "chop-\(base)-\(UUID().uuidString.prefix(6).lowercased())" }

    /// Names of all containers (running or not) whose name starts with `prefix`.
    func containers(_ prefix: String) -> [String] {
        let output = (try? Command.run([engine, "ps", "-a", "--format", "{{.Names}}"]).output) ?? ""
        return output.split(separator: "\n").map(String.init).filter { $0.hasPrefix(prefix) }
    }

    private func checkThrowawayContainersBesideLocalAndSSHMembers() async throws {
        let first = uniqueName("a")
        let second = uniqueName("b")
        var tunnels = [
            Tunnel(try Docker(first, image: Self.image, engine: engine), connectTimeout: 30),
            Tunnel(try Docker(second, image: Self.image, engine: engine), connectTimeout: 30),
            Tunnel(try Local("here")),
        ]
        tunnels.append(Tunnel(try requireFleet().ssh("web1")))
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

    private func checkAttachToARunningContainerAndLeaveItRunning() async throws {
        let name = uniqueName("running")
        let started = try Command.run([
            engine, "run", "-d", "--pull", "never", "--name", name, Self.image, "python3", "-c",
            "import time; time.sleep(600)",
        ])
        XCTAssertEqual(started.status, 0)
        defer { _ = try? Command.run([engine, "rm", "-f", name]) }
        let tunnel = Tunnel(try DockerExec(name, engine: engine))
        let result = try await tunnel.run("echo inside; cat /etc/os-release")
        XCTAssertEqual(result.stdoutText, "inside\nID=chop-test\n")
        XCTAssertEqual(tunnel.kind.kindName, "container")
        await tunnel.close()
        let state = try Command.run([engine, "inspect", "-f", "{{.State.Running}}", name]).output
        XCTAssertEqual(state.trimmingCharacters(in: .whitespacesAndNewlines), "true")
    }

    private func checkEveryFailureIsAClearErrorNeverAHang() async throws {
        let folder = try temporaryFolder(self)
        let taken = uniqueName("taken")
        XCTAssertEqual(
            try Command.run([engine, "create", "--pull", "never", "--name", taken, Self.image, "true"]).status, 0)
        defer { _ = try? Command.run([engine, "rm", "-f", taken]) }
        // An engine whose daemon is unreachable, and one that is not installed at all.
        let noDaemon = "\(folder)/docker-no-daemon"
        try "#!/bin/sh\nDOCKER_HOST=unix:///nonexistent/docker.sock exec docker \"$@\"\n".write(
            toFile: noDaemon, atomically: true, encoding: .utf8)
        chmod(noDaemon, 0o755)
        var cases: [(any TunnelKind, String)] = [
            (try Docker(uniqueName("noimage"), image: "chop-missing:none", engine: engine), "is not present"),
            (try Docker(taken, image: Self.image, engine: engine), "already in use"),
            (try Docker(uniqueName("nopy"), image: Self.bare, engine: engine), "no Python 3.6+ found"),
            (try DockerExec(taken, engine: engine, name: "stopped-\(taken)"), "is not running"),
            (try DockerExec(uniqueName("ghost"), engine: engine), "no container named"),
            (try Docker(uniqueName("noengine"), image: Self.image, engine: "/nonexistent/docker"), "not found"),
        ]
        if engine == "docker" {
            // podman has no daemon to be unreachable.
            cases.append(
                (try Docker(uniqueName("nodaemon"), image: Self.image, engine: noDaemon), "daemon is not running"))
        }
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

    private func checkContainerRemovedFromOutsideFailsOnlyThatMember() async throws {
        let name = uniqueName("victim")
        let group = try Group([
            Tunnel(try Docker(name, image: Self.image, engine: engine), connectTimeout: 30), Tunnel(try Local("ok")),
        ])
        _ = await group.connect()
        let engine = self.engine
        let killer = Task {
            // Remove the container while the command runs in it.
            await waitUntil(timeout: 20) {
                ((try? Command.run([engine, "top", name]))?.output ?? "").contains("sleep 3")
            }
            _ = try Command.run([engine, "rm", "-f", name])
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

    private func checkContainerOnAnotherHostThroughSSH() async throws {
        let fleet = try requireFleet()
        let name = uniqueName("remote")
        let tunnel = Tunnel(
            try Docker(name, image: Self.image, engine: engine, on: try fleet.ssh("web2")), connectTimeout: 30)
        let result = try await tunnel.run("cat /etc/os-release")
        XCTAssertEqual(result.stdoutText, "ID=chop-test\n")
        XCTAssertEqual(containers(name), [name])
        await tunnel.close()
        XCTAssertEqual(containers(name), [], "the remote throwaway container must be removed")
    }

    // MARK: Each case on each engine

    func testThrowawayContainersBesideLocalAndSSHMembers() async throws {
        try requireEngine("docker")
        try await checkThrowawayContainersBesideLocalAndSSHMembers()
    }

    func testThrowawayContainersBesideLocalAndSSHMembersPodman() async throws {
        try requireEngine("podman")
        try await checkThrowawayContainersBesideLocalAndSSHMembers()
    }

    func testAttachToARunningContainerAndLeaveItRunning() async throws {
        try requireEngine("docker")
        try await checkAttachToARunningContainerAndLeaveItRunning()
    }

    func testAttachToARunningContainerAndLeaveItRunningPodman() async throws {
        try requireEngine("podman")
        try await checkAttachToARunningContainerAndLeaveItRunning()
    }

    func testEveryFailureIsAClearErrorNeverAHang() async throws {
        try requireEngine("docker")
        try await checkEveryFailureIsAClearErrorNeverAHang()
    }

    func testEveryFailureIsAClearErrorNeverAHangPodman() async throws {
        try requireEngine("podman")
        try await checkEveryFailureIsAClearErrorNeverAHang()
    }

    func testContainerRemovedFromOutsideFailsOnlyThatMember() async throws {
        try requireEngine("docker")
        try await checkContainerRemovedFromOutsideFailsOnlyThatMember()
    }

    func testContainerRemovedFromOutsideFailsOnlyThatMemberPodman() async throws {
        try requireEngine("podman")
        try await checkContainerRemovedFromOutsideFailsOnlyThatMember()
    }

    func testContainerOnAnotherHostThroughSSH() async throws {
        try requireEngine("docker")
        try await checkContainerOnAnotherHostThroughSSH()
    }

    func testContainerOnAnotherHostThroughSSHPodman() async throws {
        try requireEngine("podman")
        try await checkContainerOnAnotherHostThroughSSH()
    }
}
