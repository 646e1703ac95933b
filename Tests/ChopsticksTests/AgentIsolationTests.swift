import Foundation
import TestSupport
import XCTest

@testable import Chopsticks

/// Nothing a login account or a starting folder holds runs inside the agent, least of all as root (issue
/// "Security" items 1, 2 and 9; "Real hosts" item 5). Each test performs the attack and checks its marker file
/// never appears.
final class AgentIsolationTests: XCTestCase {
    /// Modules named like the ones the agent imports lazily, each writing `marker` when imported.
    private func plantModules(in folder: String, marker: String) throws {
        for name in ["subprocess", "json", "socket", "base64"] {
            let code = "open(\(pythonString(marker)), 'a').write(\(pythonString(name)) + chr(10))\n"
            try code.write(toFile: "\(folder)/\(name).py", atomically: true, encoding: .utf8)
            chmod("\(folder)/\(name).py", 0o644)
        }
    }

    private func pythonString(_ text: String) -> String { "'" + text + "'" }

    private func markerPath() -> String { NSTemporaryDirectory() + "chop-planted-" + UUID().uuidString.prefix(8) }

    private func exercise(_ group: Group) async -> [String] {
        var failures: [String] = []
        let runs = await group.run("echo ok")
        let calls = await group.call("json.dumps", [["a": 1]])
        failures += runs.failures().map { "\($0.host): \($0.error?.msg ?? "")" }
        failures += calls.failures().map { "\($0.host): \($0.error?.msg ?? "")" }
        return failures
    }

    /// A `subprocess.py` in the folder chop starts from is not imported by a Local member, nor by a sudo member
    /// (`add sudo nobody`); the user's commands still start in that folder.
    func testModulesInTheStartingFolderAreNotImported() async throws {
        let folder = try temporaryFolder(self)
        chmod(folder, 0o755)
        let marker = markerPath()
        try plantModules(in: folder, marker: marker)
        let previous = FileManager.default.currentDirectoryPath
        XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(folder))
        defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
        var kinds: [any TunnelKind] = [try Local("here")]
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/sudo") { kinds.append(try Sudo(user: "nobody")) }
        let group = try Group(kinds.map { Tunnel($0) })
        let failures = await exercise(group)
        XCTAssertEqual(failures, [])
        let pwd = try await group.tunnels[0].run("pwd")
        XCTAssertEqual(pwd.stdoutText, folder + "\n")
        await group.close()
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: marker), (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
        )
        try? FileManager.default.removeItem(atPath: marker)
    }

    /// Over ssh the agent starts in the login home: a `~/json.py` there runs neither as the login user nor,
    /// through `--sudo`, as root.
    func testModulesInTheRemoteHomeAreNotImportedWithOrWithoutSudo() async throws {
        let shells = try requireLoginShells()
        let home = "/home/chop-bash"
        let marker = markerPath()
        try plantModules(in: home, marker: marker)
        defer {
            for name in ["subprocess", "json", "socket", "base64"] {
                try? FileManager.default.removeItem(atPath: "\(home)/\(name).py")
            }
        }
        let group = try Group([
            Tunnel(try shells.ssh("login-bash"), connectTimeout: 10),
            Tunnel(try SSH("login-bash", sudo: true, configFile: shells.configFile, name: "login-bash-sudo")),
        ])
        let failures = await exercise(group)
        XCTAssertEqual(failures, [])
        await group.close()
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: marker), (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
        )
        try? FileManager.default.removeItem(atPath: marker)
    }

    /// Where sudo keeps the login user's HOME (`Defaults env_keep += "HOME"`), a compiled agent planted in that
    /// user's cache, behind the right CRC, is not what root runs: root's cache comes from the password database.
    func testAPlantedAgentCacheInTheLoginHomeDoesNotRunAsRoot() async throws {
        let shells = try requireLoginShells()
        let home = "/home/chop-keephome"
        let marker = markerPath()
        let tag = try Command.run(["/usr/bin/python3", "-c", "import sys; print(sys.implementation.cache_tag)"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let folder = try temporaryFolder(self)
        let source = "\(folder)/agent.py"
        try Data(Bootstrap.agentSource).write(to: URL(fileURLWithPath: source))
        let cache = "\(home)/.cache/chop/agent-\(Bootstrap.agentKey).\(tag)"
        let plant = """
            import marshal, os, sys, zlib
            s = open(sys.argv[1], 'rb').read()
            code = compile(b"import os; open('\(marker)', 'a').write('ran as %d' % os.getuid())\\n" + s, 'x', 'exec')
            os.makedirs(os.path.dirname(sys.argv[2]), 0o700, exist_ok=True)
            m = marshal.dumps(code)
            open(sys.argv[2], 'wb').write(zlib.crc32(m).to_bytes(4, 'big') + m)
            os.chmod(sys.argv[2], 0o600)
            """
        XCTAssertEqual(try Command.run(["/usr/bin/python3", "-c", plant, source, cache]).status, 0)
        XCTAssertEqual(try Command.run(["chown", "-R", "chop-keephome:", "\(home)/.cache"]).status, 0)
        defer { try? FileManager.default.removeItem(atPath: "\(home)/.cache") }
        let group = try Group([Tunnel(try shells.ssh("keephome", sudo: true), connectTimeout: 10)])
        let result = await group.run("id -u; echo \"$HOME\"")
        // sudo kept the login user's HOME: the setting the attack needs is in place.
        XCTAssertEqual(result.successful().map(\.value.stdoutText), ["0\n\(home)\n"])
        await group.close()
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: marker), (try? String(contentsOfFile: marker, encoding: .utf8)) ?? ""
        )
        try? FileManager.default.removeItem(atPath: marker)
    }

    /// An interpreter path that is not a plain path is refused before any shell sees it, from the command line
    /// or an inventory; the "no usable python" message quotes what it lists.
    func testInterpreterPathsThatAreNotPlainPathsAreRefused() throws {
        for python in ["$(id>/tmp/x)", "/usr/bin/env python3", "python3;id", "${IFS}id", "`id`", "py'thon"] {
            XCTAssertThrowsError(try Local("a", python: python), python) { error in
                XCTAssertTrue("\(error)".hasPrefix("python path '\(python)' "), "\(error)")
            }
            XCTAssertThrowsError(try SSH("web1", python: python), python)
            XCTAssertThrowsError(try Sudo(user: "nobody", python: python), python)
        }
        XCTAssertNoThrow(try Local("a", python: "/opt/python-3.12/bin/python3.12"))
        let folder = try temporaryFolder(self)
        let script = Bootstrap.candidateLoop(["no-such-python-$(touch \(folder)/ran)"], launch: "-c pass")
        let output = try Command.run(["/bin/sh", "-c", "exec 2>&1; " + script])
        XCTAssertEqual(output.status, 127)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/ran"))
        XCTAssertTrue(output.output.contains("(tried: no-such-python-$(touch \(folder)/ran))"), output.output)
    }
}
