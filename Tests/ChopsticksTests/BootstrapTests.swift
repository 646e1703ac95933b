import Foundation
import TestSupport
import XCTest

@testable import Chopsticks

final class BootstrapTests: XCTestCase {
    func testStubIsTheDocumentedOne() throws {
        let protocolText = try String(
            contentsOfFile: "\(PythonVersionTests.repository)/Sources/Chopsticks/Agent/PROTOCOL.txt", encoding: .utf8)
        let indented = Bootstrap.stub.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
        XCTAssertTrue(protocolText.contains(indented), "PROTOCOL.txt must carry Bootstrap.stub verbatim")
    }

    /// The embedded agent is every `agent_*.py` of the Agent folder, joined in file-name order: a part added
    /// to the folder but missing from the bootstrap fails here.
    func testEmbeddedAgentIsEveryPartInOrder() throws {
        let folder = "\(PythonVersionTests.repository)/Sources/Chopsticks/Agent"
        let parts = try FileManager.default.contentsOfDirectory(atPath: folder)
            .filter { $0.hasPrefix("agent_") && $0.hasSuffix(".py") }.sorted()
        XCTAssertGreaterThanOrEqual(parts.count, 7, "\(parts)")
        XCTAssertEqual(Bootstrap.parts.map(\.name), parts, "Bootstrap.parts is the folder's agent_*.py in name order")
        let joined = try parts.map { try Array(Data(contentsOf: URL(fileURLWithPath: "\(folder)/\($0)"))) }
            .joined(separator: Array("\n\n".utf8))
        XCTAssertEqual(Bootstrap.agentSource, Array(joined))
        for part in parts {
            let lines = try String(contentsOfFile: "\(folder)/\(part)", encoding: .utf8).split(separator: "\n").count
            XCTAssertLessThanOrEqual(lines, 400, part)
        }
    }

    /// The parts' order is written once, in their names (`agent_NN_name.py`, PROTOCOL.txt's top): every name
    /// has that form with a number of its own, core comes first and main last, Package.swift names no part
    /// (it embeds what it finds in the folder, and AgentPartsPlugin lists the same), and each part but core and main registers its ops with `@handles`.
    func testAgentPartsHaveUniqueOrderedNamesListedOnlyByTheFolder() throws {
        let names = Bootstrap.parts.map(\.name)
        let numbers = names.map { name -> String in
            XCTAssertNotNil(name.wholeMatch(of: /agent_[1-9][0-9]_[a-z]+\.py/), "\(name): name it agent_NN_name.py")
            return String(name.dropFirst("agent_".count).prefix(2))
        }
        XCTAssertEqual(Set(numbers).count, numbers.count, "two parts share a number: \(names)")
        XCTAssertEqual(names.first, "agent_10_core.py")
        XCTAssertEqual(names.last, "agent_90_main.py")
        let manifest = try String(contentsOfFile: "\(PythonVersionTests.repository)/Package.swift", encoding: .utf8)
        XCTAssertNil(manifest.firstMatch(of: /agent_[0-9]/), "Package.swift must not list the agent's parts")
        XCTAssertTrue(manifest.contains("resources: agentParts.map { .embedInCode(\"Agent/\\($0)\") }"))
        var ops: [String] = []
        for part in Bootstrap.parts {
            if part.name != "agent_10_core.py" {
                let direct = part.source.contains("HANDLERS.update") || part.source.contains(#/HANDLERS\[[^\]]+\] = /#)
                XCTAssertFalse(direct, "\(part.name) must register its ops with @handles")
            }
            let registered = part.source.matches(of: /\n@handles\('([a-z_]+)'/).map { String($0.1) }
            if part.name != "agent_10_core.py" && part.name != "agent_90_main.py" {
                XCTAssertFalse(registered.isEmpty, "\(part.name) handles no op")
            }
            ops += registered
        }
        XCTAssertEqual(Set(ops).count, ops.count, "an op is registered twice: \(ops.sorted())")
        for op in ["ping", "run", "script", "call", "exec", "ship", "facts", "eval", "put", "fetch"] {
            XCTAssertTrue(ops.contains(op), op)
        }
    }

    func testBootstrapIsOneLineAndTheLoginCommandMeansTheSameInEveryShell() {
        let line = Bootstrap.line(python: nil, marker: "chop-agent-0")
        XCTAssertLessThan(line.utf8.count, 8192)
        XCTAssertEqual(line.filter { $0 == "\n" }, "\n")
        XCTAssertTrue(line.hasSuffix("\n") && line.hasPrefix("echo chop-agent-0;"))
        XCTAssertFalse(Bootstrap.stub.contains("'"))
        XCTAssertFalse(Bootstrap.stub.contains("\\"))
        // tcsh refuses a newline in quotes, fish reads a backslash in them, csh's history uses '!'.
        for forbidden: Character in ["\n", "\\", "!"] { XCTAssertFalse(Bootstrap.loginCommand.contains(forbidden)) }
        XCTAssertNotEqual(Bootstrap.newMarker(), Bootstrap.newMarker())
    }

    /// Over ssh the bootstrap is the command line itself (stdin would cost a round trip): one line that every
    /// login shell reads alike, the stub in base64, and the bootstrap on stdin for a path that needs quoting.
    func testTheBootstrapAsACommandLineMeansTheSameInEveryShell() throws {
        let script = try XCTUnwrap(Bootstrap.command(python: nil, marker: "chop-agent-0"))
        XCTAssertTrue(script.hasPrefix("echo chop-agent-0;"))
        XCTAssertLessThan(script.utf8.count, 8192)
        for forbidden: Character in ["\n", "\\", "!", "'", "`"] { XCTAssertFalse(script.contains(forbidden)) }
        XCTAssertTrue(script.contains(Data(Bootstrap.stub.utf8).base64EncodedString()))
        XCTAssertEqual(try SSH("web1").command(script: script).last, "exec /bin/sh -c '\(script)'")
        XCTAssertNotNil(Bootstrap.command(python: "/opt/py/bin/python3", marker: "chop-agent-0"))
        XCTAssertNil(Bootstrap.command(python: "/opt/it's/python3", marker: "chop-agent-0"))
    }

    func testShellQuoting() {
        XCTAssertEqual(shellQuote("plain-word_1.txt"), "plain-word_1.txt")
        XCTAssertEqual(shellQuote(""), "''")
        XCTAssertEqual(shellQuote("a b"), "'a b'")
        XCTAssertEqual(shellQuote("it's; rm -rf /"), "'it'\\''s; rm -rf /'")
        XCTAssertEqual(shellQuote("$(reboot)"), "'$(reboot)'")
        // A quote followed by a combining accent is one Character but still a quote byte to sh.
        XCTAssertEqual(shellQuote("a'\u{301}; id"), "'a'\\''\u{301}; id'")
    }

    /// Words with quotes, combining marks and shell syntax come back from sh byte for byte.
    func testQuotedWordsReachShUnchanged() throws {
        for word in ["it's", "a'\u{301}$(id)'\u{301}", "'", "\u{301}'", "x'\u{308}\u{301}`id`", "é'\"\\"] {
            let printed = try runShell("printf %s \(shellQuote(word))")
            XCTAssertEqual(printed, Array(word.utf8), word)
        }
    }

    /// What `/bin/sh -c script` prints on stdout.
    private func runShell(_ script: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(printed)
    }

    func testSSHCommandLineIsSafe() throws {
        let ssh = try SSH(parsing: "admin@web1:2222")
        let argv = ssh.command(script: "echo hi")
        XCTAssertEqual(argv.first, "ssh")
        XCTAssertTrue(argv.contains("BatchMode=yes"))
        XCTAssertTrue(argv.contains("ConnectTimeout=10"))
        XCTAssertEqual(Array(argv.suffix(3)), ["--", "web1", "exec /bin/sh -c 'echo hi'"])
        XCTAssertEqual(argv[argv.firstIndex(of: "-p")! + 1], "2222")
        XCTAssertEqual(argv[argv.firstIndex(of: "-l")! + 1], "admin")
        XCTAssertThrowsError(try SSH(parsing: "web1:notaport"))
        XCTAssertThrowsError(try SSH(parsing: "-oProxyCommand=x"))
    }
}

extension BootstrapTests {
    /// The bootstrap's exit status alone tells "no Python" when the engine lost its stderr line (podman's attach
    /// can end before relaying it); any other status or any stderr keeps the usual wording.
    func testNoPythonIsToldByTheExitStatusWhenStderrIsLost() throws {
        let kind = try Local("box")
        let noPython = describeWaitStatus(CInt(Bootstrap.noPythonStatus) << 8)
        XCTAssertEqual(
            FailureText.classify(stderr: "", exit: noPython, host: "box", kind: kind, timeout: 10).msg,
            "no Python 3.6+ found on box")
        XCTAssertEqual(
            FailureText.classify(stderr: "", exit: describeWaitStatus(1 << 8), host: "box", kind: kind, timeout: 10)
                .msg,
            "tunnel ended (exit status 1)")
        XCTAssertEqual(
            FailureText.classify(
                stderr: "sh: 1: exec: nope: not found", exit: noPython, host: "box", kind: kind,
                timeout: 10
            ).msg,
            "sh: 1: exec: nope: not found (exit status 127)")
    }
}

extension BootstrapTests {
    /// A host whose only Python is 3.5 (none of that age is installed here to start): the version found and
    /// the minimum are named, and the cause is typed.
    func testOnlyPython35IsNamedWithTheMinimum() throws {
        let stderr = "chop: python too old: 3.5.10 at /usr/bin/python3\nchop: no usable python (tried: python3)"
        let status = describeWaitStatus(CInt(Bootstrap.noPythonStatus) << 8)
        let found = FailureText.classify(stderr: stderr, exit: status, host: "old", kind: try SSH("old"), timeout: 10)
        XCTAssertEqual(
            found.msg,
            "no Python 3.6+ found on old (found only Python 3.5.10 at /usr/bin/python3)")
        XCTAssertEqual(found.cause, .noPython)
        let named = FailureText.classify(
            stderr: "chop: python too old: 3.5.10 at /usr/bin/python3.5", exit: describeWaitStatus(4 << 8), host: "old",
            kind: try SSH("old", python: "/usr/bin/python3.5"), timeout: 10)
        XCTAssertEqual(
            named.msg,
            "Python 3.5.10 at /usr/bin/python3.5 is too old (chop needs Python 3.6+)")
        XCTAssertEqual(named.cause, .noPython)
    }

    /// ssh's own failures (exit 255) before the agent are never taken for a login shell that refused the command.
    func testSSHFailuresAreNotALoginShellRefusal() throws {
        let failure = FailureText.classify(
            stderr: "ssh: connect to host x port 22: Connection refused", exit: describeWaitStatus(255 << 8), host: "x",
            kind: try SSH("x"), timeout: 10, loginText: "")
        XCTAssertEqual(failure.msg, "connection refused")
        XCTAssertNil(failure.cause)
    }

    /// No sudo anywhere the login shell can find it: said as such, not as a login shell that refused.
    func testNoSudoIsNamed() throws {
        let failure = FailureText.classify(
            stderr: SudoLaunch.notFoundMarker, exit: describeWaitStatus(127 << 8), host: "h",
            kind: try SSH("h", sudo: true), timeout: 10, loginText: "")
        XCTAssertTrue(failure.msg.hasPrefix("sudo not found on h (neither on the login PATH"), failure.msg)
    }
}

extension BootstrapTests {
    /// A `python3` on PATH that cannot run (not executable) is passed over for the next candidate, under every
    /// `/bin/sh` a host may have: the check forks no subshell, and a candidate the shell finds but cannot run
    /// (status 126) means "try the next one", as a too-old one does.
    func testACandidateThatCannotRunIsPassedOver() throws {
        let folder = try temporaryFolder(self)
        let broken = folder + "/first"
        let good = folder + "/second"
        for path in [broken, good] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        _ = FileManager.default.createFile(atPath: broken + "/python3", contents: Data("#!/bin/sh\necho wrong\n".utf8))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: broken + "/python3")
        try FileManager.default.createSymbolicLink(
            atPath: good + "/python3.11", withDestinationPath: "/usr/bin/python3")
        let loop = Bootstrap.candidateLoop(
            ["python3", "python3.13", "python3.11"], launch: "-c \(shellQuote("print('ran', __import__('sys').argv)"))")
        for shell in ["/bin/sh", "/bin/bash", "/bin/busybox"] where FileManager.default.isExecutableFile(atPath: shell)
        {
            let argv = shell.hasSuffix("busybox") ? [shell, "sh"] : [shell]
            let run = try Command.run(["/usr/bin/env", "PATH=\(broken):\(good)"] + argv + ["-c", loop])
            XCTAssertEqual(run.status, 0, "\(shell): \(run.output)")
            XCTAssertTrue(run.output.contains("ran ['-c']"), "\(shell): \(run.output)")
            XCTAssertFalse(run.output.contains("wrong"), "\(shell): \(run.output)")
        }
        // With nothing runnable left, the loop says what it tried.
        let none = try Command.run([
            "/usr/bin/env", "PATH=\(broken)", "/bin/sh", "-c",
            "exec 2>&1; " + Bootstrap.candidateLoop(["python3"], launch: "-c pass"),
        ])
        XCTAssertEqual(none.status, Int32(Bootstrap.noPythonStatus), none.output)
        XCTAssertTrue(none.output.contains(Bootstrap.noPythonMarker), none.output)
    }
}
