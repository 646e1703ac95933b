import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

@testable import ChopShell

/// Issue 24's session context: what a command reads on stdin (`run --input`), on Local members and the loopback
/// sshd fleet.
final class SessionContextTests: SessionTestCase {
    /// The outputs of the last result, host by host.
    private func outputs() async -> [String] {
        await session.lastReport?.outcomes.map(\.output) ?? []
    }

    func testRunInputParsing() throws {
        func parsed(_ text: String) throws -> RunCommand? {
            try XCTUnwrap(try CommandParser.parse(text)).command as? RunCommand
        }
        XCTAssertEqual(try parsed("run cat"), RunCommand(text: "cat"))
        XCTAssertEqual(
            try parsed("run --input y apt-get install x"), RunCommand(text: "apt-get install x", input: .text("y\n")))
        XCTAssertEqual(
            try parsed("run --input 'two words' read a b; echo \"$b\""),
            RunCommand(text: "read a b; echo \"$b\"", input: .text("two words\n")))
        XCTAssertEqual(try parsed("run --input=yes cat"), RunCommand(text: "cat", input: .text("yes\n")))
        XCTAssertEqual(try parsed("run --input-file ~/a cat -n"), RunCommand(text: "cat -n", input: .file("~/a")))
        XCTAssertEqual(try parsed("run --batch 1 --input y cat"), RunCommand(text: "cat", input: .text("y\n")))
        XCTAssertEqual(try parsed("run echo --input y"), RunCommand(text: "echo --input y"))
        for (line, message) in [
            ("run --input y", RunCommand.missingText),
            ("run --input 'y", "unterminated single quote: add the closing '"),
            (
                "run --input a --input-file b cat",
                "give --input or --input-file once — usage: "
                    + RunCommand.declaration.usage
            ),
        ] {
            XCTAssertThrowsError(try CommandParser.parse(line), line) { error in
                XCTAssertEqual((error as? ParseError)?.message, message, line)
            }
        }
    }

    func testRunInputOnLocalMembers() async throws {
        let folder = try temporaryFolder(self)
        await run("add local a")
        await run("add local b")
        var step = await run("run cat; echo \"[$?]\"")
        XCTAssertEqual(step.result, .ok, "\(step)")
        var seen = await outputs()
        XCTAssertEqual(seen, ["[0]\n", "[0]\n"], "without --input stdin is closed: cat reads end-of-file at once")

        step = await run("run --input 'y es' read answer; echo \"got $answer\"")
        XCTAssertEqual(step.result, .ok, "\(step)")
        seen = await outputs()
        XCTAssertEqual(seen, ["got y es\n", "got y es\n"])

        let bytes = Data([0, 1, 2, 0xFF, 10, 65])
        try bytes.write(to: URL(fileURLWithPath: "\(folder)/answers"))
        step = await run("@b run --input-file \(folder)/answers od -An -tx1 | tr -s ' '")
        XCTAssertEqual(step.result, .ok, "\(step)")
        seen = await outputs()
        XCTAssertEqual(seen, [" 00 01 02 ff 0a 41\n"], "the file's bytes exactly, no newline added")

        step = await run("run --input-file \(folder)/missing cat")
        XCTAssertEqual(step.result, .error)
        XCTAssertEqual(step.err, ["chop: --input-file: no such file: \(folder)/missing"])
    }

    func testRunInputOnTheLoopbackFleet() async throws {
        let fleet = try requireFleet()
        session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        await run("add web1 web2")
        var step = await run("run head -c 100; echo \"<$?>\"")
        XCTAssertEqual(step.result, .ok, "\(step)")
        var seen = await outputs()
        XCTAssertEqual(seen, ["<0>\n", "<0>\n"])
        step = await run("run --input {host} cat")
        XCTAssertEqual(step.result, .ok, "\(step)")
        seen = await outputs()
        XCTAssertEqual(seen, ["{host}\n", "{host}\n"], "TEXT is the same for every host, sent as typed")
    }

    /// The directory's real path, as the agent's `os.getcwd()` gives it.
    private func real(_ path: String) -> String {
        URL(fileURLWithPath: path).resolvingSymlinksInPath().path
    }

    func testCdOnLocalMembersWithAHostWithoutTheDirectory() async throws {
        let folder = real(try temporaryFolder(self))
        for path in ["da/sub", "db"] {
            try FileManager.default.createDirectory(atPath: "\(folder)/\(path)", withIntermediateDirectories: true)
        }
        try "x".write(toFile: "\(folder)/db/file", atomically: true, encoding: .utf8)
        try "local".write(toFile: "\(folder)/local.txt", atomically: true, encoding: .utf8)
        await run("add local a")
        await run("add local b")
        var prompt = await session.prompt()
        XCTAssertEqual(prompt, "chop 2 hosts> ", "no directory shown before any cd")
        var step = await run("cd \(folder)")
        XCTAssertEqual(step.result, .ok, "\(step)")
        prompt = await session.prompt()
        XCTAssertEqual(prompt, "chop:\(folder) 2 hosts> ")
        await run("@a cd da")
        await run("@b cd db")
        prompt = await session.prompt()
        XCTAssertEqual(prompt, "chop:(2 dirs) 2 hosts> ")

        step = await run("cd sub")
        XCTAssertEqual(step.result, .hostsFailed, "b has no sub")
        var outcomes = await session.lastReport?.outcomes ?? []
        XCTAssertEqual(outcomes.map(\.state), [.ok, .error])
        XCTAssertTrue(outcomes.last?.reason?.contains("No such file or directory") == true, "\(outcomes)")
        step = await run("@b cd file")
        XCTAssertEqual(step.result, .hostsFailed, "a file is not enterable")
        outcomes = await session.lastReport?.outcomes ?? []
        XCTAssertTrue(outcomes.last?.reason?.contains("Not a directory") == true, "\(outcomes)")
        step = await run("pwd")
        XCTAssertEqual(step.result, .ok)
        var seen = await outputs()
        XCTAssertEqual(seen, ["\(folder)/da/sub", "\(folder)/db"], "b kept its directory")

        // Every consumer sees it: run, script, relative put and fetch paths, py.
        await run("run pwd")
        seen = await outputs()
        XCTAssertEqual(seen, ["\(folder)/da/sub\n", "\(folder)/db\n"])
        try "#!/bin/sh\npwd\n".write(toFile: "\(folder)/where.sh", atomically: true, encoding: .utf8)
        await run("script \(folder)/where.sh")
        seen = await outputs()
        XCTAssertEqual(seen, ["\(folder)/da/sub\n", "\(folder)/db\n"])
        await run("py import os; os.getcwd()")
        seen = await outputs()
        XCTAssertEqual(seen, ["\"\(folder)/da/sub\"", "\"\(folder)/db\""])
        step = await run("put \(folder)/local.txt copied.txt")
        XCTAssertEqual(step.result, .ok, "\(step)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder)/da/sub/copied.txt"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder)/db/copied.txt"))
        step = await run("@b fetch file \(folder)/fetched-{host}")
        XCTAssertEqual(step.result, .ok, "\(step)")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/fetched-b", encoding: .utf8), "x")

        // Recorded: a replay starts each member in its directory.
        step = await run("record \(folder)/session.chop")
        let recorded = try String(contentsOfFile: "\(folder)/session.chop", encoding: .utf8)
        XCTAssertTrue(recorded.contains("\n@a cd \(folder)/da/sub\n@b cd \(folder)/db\n"), recorded)
        await run("cd ..")
        await run("record off")
        let typed = try String(contentsOfFile: "\(folder)/session.chop", encoding: .utf8)
        XCTAssertTrue(typed.hasSuffix("\ncd ..\n"), typed)

        // cd alone goes home; a reconnected agent enters its directory again.
        await run("@a cd")
        await run("@a py import os; os.path.expanduser('~')")
        let home = await outputs().first?.replacingOccurrences(of: "\"", with: "")
        await run("@a pwd")
        seen = await outputs()
        XCTAssertEqual(seen, [home ?? "?"])
        await run("reconnect")
        await run("pwd")
        seen = await outputs()
        XCTAssertEqual(seen, [home ?? "?", "\(folder)"])
    }

    func testCdOnTheLoopbackFleetAndAfterAReconnect() async throws {
        let fleet = try requireFleet()
        session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        await run("add web1 web2")
        // The fleet's hosts share this machine's disk: web2 is sent to a folder of its own that lacks "only".
        let folder = "/tmp/chop-cd-" + UUID().uuidString.prefix(8)
        await run("run mkdir -p \(folder)/one/only \(folder)/two && chmod -R 755 \(folder)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        await run("@web1 cd \(folder)/one")
        await run("@web2 cd \(folder)/two")
        var step = await run("cd only")
        XCTAssertEqual(step.result, .hostsFailed)
        let states = await session.lastReport?.outcomes.map(\.state)
        XCTAssertEqual(states, [.ok, .error])
        await run("run pwd; touch made-here")
        var seen = await outputs()
        XCTAssertEqual(seen, ["\(folder)/one/only\n", "\(folder)/two\n"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(folder)/two/made-here"))

        step = await run("reconnect")
        XCTAssertEqual(step.result, .ok)
        await run("run pwd")
        seen = await outputs()
        XCTAssertEqual(seen, ["\(folder)/one/only\n", "\(folder)/two\n"], "re-entered after the reconnect")

        // A directory gone since: the new agent stays where it started, and the log says why.
        await run("run rm -rf \(folder)/one")
        await run("reconnect")
        await run("@web1 run pwd")
        seen = await outputs()
        XCTAssertNotEqual(seen, ["\(folder)/one/only\n"])
        step = await run("log web1")
        XCTAssertTrue(step.out.contains { $0.contains("cannot enter \(folder)/one/only again") }, "\(step.out)")
        let prompt = await session.prompt()
        XCTAssertEqual(prompt, "chop:(2 dirs) 2 hosts> ")
    }

    func testEnvParsing() throws {
        func parsed(_ text: String) throws -> EnvCommand? {
            try XCTUnwrap(try CommandParser.parse(text)).command as? EnvCommand
        }
        XCTAssertEqual(try parsed("env"), EnvCommand())
        XCTAssertEqual(
            try parsed("env A=1 B='two words' C= -u D"),
            EnvCommand(
                assignments: [
                    .init(name: "A", value: "1"), .init(name: "B", value: "two words"), .init(name: "C", value: ""),
                ],
                unset: ["D"]))
        XCTAssertEqual(try parsed("env X=a=b"), EnvCommand(assignments: [.init(name: "X", value: "a=b")]))
        let usage = " — usage: " + EnvCommand.declaration.usage
        for (line, message) in [
            ("env A", "'A' sets nothing: write NAME=VALUE, e.g. env APP_ENV=staging"),
            ("env 1A=x", "'1A' is not a variable name: letters, digits and _, not starting with a digit"),
            ("env =x", "'' is not a variable name: letters, digits and _, not starting with a digit"),
            ("env -u", "-u needs a name, e.g. env -u APP_ENV"),
            ("env -x", "unknown option '-x' for env; -u NAME unsets a variable"),
        ] {
            XCTAssertThrowsError(try CommandParser.parse(line), line) { error in
                XCTAssertEqual((error as? ParseError)?.message, message + usage, line)
            }
        }
        XCTAssertTrue(Session.setsSecret("env API_TOKEN=x"))
        XCTAssertTrue(Session.setsSecret("env A=1 db_password=x"))
        XCTAssertFalse(Session.setsSecret("env A=1"))
        XCTAssertFalse(Session.setsSecret("env -u API_TOKEN"))
        XCTAssertFalse(Session.setsSecret("run echo API_TOKEN=x"))
    }

    func testEnvOnLocalMembersMasksSecretsInEnvLogRecordAndJSON() async throws {
        let folder = try temporaryFolder(self)
        let secret = "s3cr3t-\(UUID().uuidString.prefix(8))"
        await run("add local a")
        await run("add local b")
        var step = await run("env")
        XCTAssertEqual(step.out, ["no variables set; env NAME=VALUE sets one for every run and script"])
        await run("record \(folder)/session.chop")
        step = await run("env APP_ENV=staging GREETING='hello world' API_TOKEN=\(secret) AWS_SECRET_ACCESS_KEY=x")
        XCTAssertEqual(step.result, .ok)
        step = await run("env")
        XCTAssertEqual(
            step.out, ["API_TOKEN=***", "APP_ENV=staging", "AWS_SECRET_ACCESS_KEY=***", "GREETING=hello world"])

        step = await run("run echo \"$APP_ENV/$GREETING/${#API_TOKEN}\"")
        XCTAssertEqual(step.result, .ok, "\(step)")
        var seen = await outputs()
        XCTAssertEqual(seen, ["staging/hello world/\(secret.count)\n", "staging/hello world/\(secret.count)\n"])
        try "#!/bin/sh\necho \"$APP_ENV\"\n".write(toFile: "\(folder)/env.sh", atomically: true, encoding: .utf8)
        await run("script \(folder)/env.sh")
        seen = await outputs()
        XCTAssertEqual(seen, ["staging\n", "staging\n"])
        step = await run("env -u APP_ENV")
        await run("@a run echo \"[${APP_ENV-unset}]\"")
        seen = await outputs()
        XCTAssertEqual(seen, ["[unset]\n"])

        // The secret's value is in no output chop makes of its own: log, JSON's command, the recording.
        step = await run("log")
        XCTAssertFalse(step.out.joined().contains(secret), "\(step.out)")
        await run("set output json")
        step = await run("env")
        XCTAssertEqual(step.out.count, 1)
        XCTAssertTrue(step.out[0].contains("\"API_TOKEN\":\"***\""), step.out[0])
        XCTAssertFalse(step.out[0].contains(secret), step.out[0])
        step = await run("env OTHER_KEY=\(secret)")
        XCTAssertEqual(step.result, .ok)
        await run("record off")
        let recorded = try String(contentsOfFile: "\(folder)/session.chop", encoding: .utf8)
        XCTAssertFalse(recorded.contains(secret), recorded)
        XCTAssertTrue(recorded.contains("\n# env OTHER_KEY='***'  # secret values are not recorded"), recorded)
        XCTAssertTrue(recorded.contains("\nenv -u APP_ENV\n"), recorded)

        // A new recording starts with the environment, the secrets as notes.
        await run("record \(folder)/again.chop")
        await run("record off")
        let header = try String(contentsOfFile: "\(folder)/again.chop", encoding: .utf8)
        XCTAssertTrue(header.contains("\nenv GREETING='hello world'\n"), header)
        XCTAssertTrue(header.contains("\n# env API_TOKEN='***'  # secret values are not recorded"), header)
        XCTAssertFalse(header.contains(secret), header)
    }

    func testEnvOnTheLoopbackFleetGoesThroughTheAgentNotSendEnv() async throws {
        let fleet = try requireFleet()
        session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        await run("add web1 web2")
        await run("env CHOP_TEST_VAR='a b' LC_CHOP=kept")
        let step = await run("run echo \"$CHOP_TEST_VAR|$LC_CHOP\"")
        XCTAssertEqual(step.result, .ok, "\(step)")
        let seen = await outputs()
        XCTAssertEqual(seen, ["a b|kept\n", "a b|kept\n"])
    }

    /// A file's permission bits.
    private func mode(_ path: String) throws -> Int {
        try XCTUnwrap(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
    }

    func testSaveOfASpilledResultByteForByteAndSaveDir() async throws {
        let folder = try temporaryFolder(self)
        session = Session(io: recording.io, resultsFolder: "\(folder)/results")
        await run("add local a")
        await run("add local b")
        await run("set keep-bytes 1024")
        // Not UTF-8 and far over keep-bytes: the result holds its start, the spill file all of it.
        var step = await run(
            "@a run head -c 300000 /dev/urandom > \(folder)/random; cat \(folder)/random; echo oops >&2")
        XCTAssertEqual(step.result, .ok, "\(step)")
        let spilled = await session.lastReport?.outcomes.first?.spilled
        XCTAssertNotNil(spilled?.stdout, "the output was spilled")
        await run("run echo small-{host}; echo warn >&2; exit 0")
        step = await run("save %1 \(folder)/one")
        XCTAssertEqual(step.result, .ok, "\(step)")
        XCTAssertEqual(step.out, ["saved %1: 1 host to \(folder)/one"])
        let saved = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/one/a.out"))
        let original = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/random"))
        XCTAssertEqual(saved.count, 300_000)
        XCTAssertTrue(saved == original, "byte for byte, from the spill file")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/one/a.err", encoding: .utf8), "oops\n")
        for name in ["a.out", "a.err", "result.json"] {
            XCTAssertEqual(try mode("\(folder)/one/\(name)"), 0o600, name)
        }
        let json = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/one/result.json")))
        let document = try XCTUnwrap(json as? [String: Any])
        XCTAssertEqual(document["result"] as? Int, 1)
        XCTAssertEqual(
            document["command"] as? String,
            "@a run head -c 300000 /dev/urandom > \(folder)/random; cat \(folder)/random; echo oops >&2")

        // The last result by default; a link planted at a name is replaced, not followed.
        try FileManager.default.createDirectory(atPath: "\(folder)/two", withIntermediateDirectories: true)
        try "keep".write(toFile: "\(folder)/victim", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: "\(folder)/two/b.out", withDestinationPath: "\(folder)/victim")
        step = await run("save \(folder)/two")
        XCTAssertEqual(step.result, .ok, "\(step)")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/two/b.out", encoding: .utf8), "small-b\n")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/two/a.err", encoding: .utf8), "warn\n")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/victim", encoding: .utf8), "keep")

        // set save-dir: every result as it comes, in DIR/N.
        await run("set save-dir \(folder)/every")
        await run("run echo third")
        await run("@b run echo fourth")
        await run("set save-dir off")
        await run("run echo fifth")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/every/3/a.out", encoding: .utf8), "third\n")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/every/4/b.out", encoding: .utf8), "fourth\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/every/4/a.out"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/every/5"))

        step = await run("save %99 \(folder)/x")
        XCTAssertEqual(step.err, ["chop: no result %99 (kept: %1 to %5); 'results' lists them"])
        step = await run("save %x \(folder)/x")
        XCTAssertEqual(step.err, ["chop: '%x' is not a result; write %N, e.g. %3 — usage: save [%N] DIR"])
    }

    func testSudoPerCommandParsing() throws {
        func parsed(_ text: String) throws -> RunCommand? {
            try XCTUnwrap(try CommandParser.parse(text)).command as? RunCommand
        }
        XCTAssertEqual(try parsed("run --sudo id"), RunCommand(text: "id", input: nil, sudo: "root"))
        XCTAssertEqual(try parsed("run --sudo=postgres id"), RunCommand(text: "id", input: nil, sudo: "postgres"))
        XCTAssertEqual(
            try parsed("run --input y --sudo apt-get install x"),
            RunCommand(text: "apt-get install x", input: .text("y\n"), sudo: "root"))
        XCTAssertThrowsError(try CommandParser.parse("run --sudo= id")) { error in
            XCTAssertEqual(
                (error as? ParseError)?.message,
                "--sudo=USER needs a user name, e.g. --sudo=postgres — usage: " + RunCommand.declaration.usage)
        }
    }

    /// On this machine: a Local member's command as another user, in the member's directory, with the
    /// session environment; `set sudo` for every run and script.
    func testSudoPerCommandOnALocalMember() async throws {
        try require(getuid() == 0 ? nil : "sudo to nobody without a password needs the tests to run as root")
        let folder = real(try temporaryFolder(self))
        chmod(folder, 0o755)
        await run("add local a")
        await run("cd \(folder)")
        await run("env CHOP_SEEN=yes")
        var step = await run("run --sudo=nobody id -un; pwd; echo $CHOP_SEEN")
        XCTAssertEqual(step.result, .ok, "\(step)")
        var seen = await outputs()
        XCTAssertEqual(seen, ["nobody\n\(folder)\nyes\n"])
        await run("set sudo nobody")
        try "#!/bin/sh\nid -un\n".write(toFile: "\(folder)/who.sh", atomically: true, encoding: .utf8)
        step = await run("script \(folder)/who.sh")
        XCTAssertEqual(step.result, .ok, "\(step)")
        seen = await outputs()
        XCTAssertEqual(seen, ["nobody\n"])
        await run("set sudo off")
        await run("run id -un")
        seen = await outputs()
        XCTAssertEqual(seen, ["root\n"])
    }

    /// `set sudo-tool doas` and `su` where their rule asks nothing (the tests run as root: doas.conf's `permit
    /// nopass root` from `.ci/sudo-user-up`; su from root): the command runs as the user, in the session's
    /// directory and environment like sudo's.
    func testSudoToolDoasAndSuOnALocalMember() async throws {
        try require(getuid() == 0 ? nil : "doas and su to nobody without a password need the tests to run as root")
        try require(
            FileManager.default.fileExists(atPath: "/etc/doas.conf") ? nil : "doas is not set up (.ci/sudo-user-up)")
        await run("add local a")
        await run("env CHOP_SEEN=yes")
        for tool in ["doas", "su"] {
            await run("set sudo-tool \(tool)")
            let step = await run("run --sudo=nobody id -un; echo $CHOP_SEEN")
            XCTAssertEqual(step.result, .ok, "\(tool): \(step)")
            let seen = await outputs()
            XCTAssertEqual(seen, ["nobody\nyes\n"], tool)
        }
        let refused = await run("set sudo-tool doaz")
        XCTAssertEqual(refused.result, .error)
    }

    /// Where doas or su would ask for a password (chop run as chopsudo, whose doas rule needs one, and su to
    /// root), the member fails with one line that says what to change: neither tool can be given one here.
    func testSudoToolsThatWouldAskForAPasswordSaySoInOneLine() throws {
        _ = try requireSudoPasswordUser()
        try requireChop()
        try require(
            FileManager.default.fileExists(atPath: "/etc/doas.conf") ? nil : "doas is not set up (.ci/sudo-user-up)")
        for (tool, expected) in [
            ("doas", "doas on a asks for a password, which it reads only from a terminal"),
            ("su", "su on a asks for the target user's password, which it reads only from a terminal"),
        ] {
            let script = shellQuote("set sudo-tool \(tool); add local a; run --sudo id -u")
            let result = try runAsSudoUser(
                "\(shellQuote(Tmux.chopBinary)) -q --json --no-init -c \(script) </dev/null")
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertTrue(result.output.contains(expected), "\(tool): \(result.output)")
        }
    }

    /// Over ssh, as a user whose sudo asks for a password: `needs password` until `password` gives it, then
    /// root, the password in no process's argv or environment.
    func testSudoPerCommandWithAPasswordOnTheLoopbackFleet() async throws {
        let fleet = try requireSudoPasswordUser()
        recording = RecordingIO(password: SSHFleet.sudoPassword)
        session = Session(io: recording.io, sshConfigFile: fleet.configFile)
        await run("add sudopw")
        await run("cd /tmp")
        var step = await run("run id -un")
        var seen = await outputs()
        XCTAssertEqual(seen, ["\(SSHFleet.sudoUser)\n"])
        step = await run("run --sudo id -un")
        XCTAssertEqual(step.result, .hostsFailed)
        let reason = await session.lastReport?.outcomes.first?.reason
        XCTAssertTrue(reason?.contains("password") == true, "\(String(describing: reason))")
        step = await run("password")
        XCTAssertEqual(step.result, .ok, "\(step)")
        step = await run("run --sudo id -un; pwd")
        XCTAssertEqual(step.result, .ok, "\(step)")
        seen = await outputs()
        XCTAssertEqual(seen, ["root\n/tmp\n"])
        await run("set sudo root")
        await run("run id -u")
        seen = await outputs()
        XCTAssertEqual(seen, ["0\n"])
        XCTAssertEqual(ProcessTree.processesMentioning(SSHFleet.sudoPassword), [])
        await run("set sudo off")
        await run("run id -un")
        seen = await outputs()
        XCTAssertEqual(seen, ["\(SSHFleet.sudoUser)\n"])
    }

    /// sudo with `Defaults requiretty` says so through `run --sudo` as through `add --sudo`; `remove` ends the
    /// member's sudo agent with it.
    func testSudoPerCommandNamesRequiretty() async throws {
        let shells = try requireLoginShells()
        session = Session(io: recording.io, sshConfigFile: shells.configFile)
        await run("add tty")
        var step = await run("run --sudo id -u")
        XCTAssertEqual(step.result, .hostsFailed)
        let reason = await session.lastReport?.outcomes.first?.reason
        XCTAssertTrue(reason?.contains("requiretty") == true, "\(String(describing: reason))")
        var companions = await session.sudoCompanions.count
        XCTAssertEqual(companions, 1)
        step = await run("remove tty")
        XCTAssertEqual(step.err, ["removed 1 member: tty"])
        companions = await session.sudoCompanions.count
        XCTAssertEqual(companions, 0)
    }
}
