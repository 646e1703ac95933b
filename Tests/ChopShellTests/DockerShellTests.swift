import Foundation
import TestSupport
import XCTest

/// Docker members from the shell, on a real engine; skipped with the reason where none can run.
final class DockerShellTests: XCTestCase {
    func requireDocker() throws {
        try requireTerminal()
        try require(
            (try? Command.run(["docker", "image", "inspect", "chop-python:test"]).status) == 0
                ? nil : "no Docker engine or test image here (.ci/docker-up provides them)")
    }

    func testAddDockerRunsAndQuittingRemovesTheContainer() throws {
        try requireDocker()
        let folder = try temporaryFolder(self)
        let name = "chop-shell-\(UUID().uuidString.prefix(6).lowercased())"
        let result = try runChop(
            ["-q", "-c", "add docker \(name) --image chop-python:test; add local l; run cat /etc/os-release; hosts"],
            folder: folder)
        XCTAssertEqual(result.status, 0, result.err)
        XCTAssertTrue(result.out.contains("ID=chop-test"), result.out)
        XCTAssertTrue(result.out.contains("docker chop-python:test"), result.out)
        let left = try Command.run(["docker", "ps", "-a", "--filter", "name=\(name)", "--format", "{{.Names}}"])
        XCTAssertEqual(left.output.trimmingCharacters(in: .whitespacesAndNewlines), "")
    }

    func testTabCompletesRunningContainerNames() throws {
        try requireDocker()
        let name = "chop-tabbed-\(UUID().uuidString.prefix(6).lowercased())"
        XCTAssertEqual(
            try Command.run([
                "docker", "run", "-d", "--pull", "never", "--name", name, "chop-python:test", "python3", "-c",
                "import time; time.sleep(120)",
            ]).status, 0)
        defer { _ = try? Command.run(["docker", "rm", "-f", name]) }
        let tmux = try Tmux("exec \(Tmux.chopBinary)")
        defer { tmux.kill() }
        XCTAssertTrue(tmux.wait(for: "host>").0, tmux.screen())
        // The first Tab asks docker in the background and answers with what it knows; a later one completes.
        try tmux.send("add container chop-tabbed")
        let found = eventually(timeout: 10) {
            _ = try? tmux.send("Tab")
            return tmux.wait(for: "add container \(name)", timeout: 0.5).0
        }
        XCTAssertTrue(found, tmux.screen())
        try tmux.send("Enter")
        try tmux.type("run cat /etc/os-release")
        XCTAssertTrue(tmux.wait(for: "ID=chop-test").0, tmux.screen())
    }

    func testSIGTERMLeavesNoContainerBehind() throws {
        try terminatingLeavesNoContainerBehind(SIGTERM)
    }

    /// A closed terminal (SIGHUP) cleans up as SIGTERM does: the throwaway container goes too.
    func testSIGHUPLeavesNoContainerBehind() throws {
        try terminatingLeavesNoContainerBehind(SIGHUP)
    }

    private func terminatingLeavesNoContainerBehind(_ signal: Int32) throws {
        try requireDocker()
        let folder = try temporaryFolder(self)
        let name = "chop-term-\(UUID().uuidString.prefix(6).lowercased())"
        let pid = try Command.start([
            "/bin/sh", "-c",
            "exec \(Tmux.chopBinary) -q -c 'add docker \(name) --image chop-python:test; run sleep 60' >\(folder)/log 2>&1",
        ])
        let listed: () -> String = {
            let output = try? Command.run(["docker", "ps", "-a", "--filter", "name=\(name)", "--format", "{{.Names}}"])
            return (output?.output ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertTrue(eventually(timeout: 20) { listed() == name }, "the container never started")
        // SIGTERM once the command runs inside the container.
        let running = eventually(timeout: 20) {
            ((try? Command.run(["docker", "top", name]))?.output ?? "").contains("sleep 60")
        }
        XCTAssertTrue(running, "the command never started in the container")
        kill(pid, signal)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        XCTAssertEqual((status >> 8) & 0xff, 128 + signal)
        XCTAssertTrue(eventually(timeout: 15) { listed().isEmpty }, "container left behind after signal \(signal)")
    }
}
