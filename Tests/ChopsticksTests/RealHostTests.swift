import Foundation
import TestSupport
import XCTest

@testable import ChopShell
@testable import Chopsticks

/// Accounts as real hosts have them (issue "Real hosts"), on the loopback sshd: rc files that print or break
/// PATH, every common login shell, accounts that cannot run a command, sudo with requiretty, no HOME.
final class RealHostTests: XCTestCase {
    private func group(_ shells: LoginShells, _ names: [String], sudo: Bool = false) throws -> Group {
        try Group(names.map { Tunnel(try shells.ssh($0, sudo: sudo), connectTimeout: 10) })
    }

    private func messages(_ result: GroupResult<RunResult>) -> String {
        result.failures().map { "\($0.host): \($0.error?.msg ?? "")" }.joined(separator: "; ")
    }

    /// What rc files print before the agent is skipped whatever it looks like (the word "chop", bytes that read
    /// as a frame, no final newline, escapes, more than a pipe's atomic write), kept in the member's log, and
    /// `printsOnLogin` says so.
    func testTextPrintedOnLoginIsSkippedAndKeptInTheLog() async throws {
        let shells = try requireLoginShells()
        let names = ["rc-banner", "rc-nonewline", "rc-framelike", "rc-large", "rc-escape"]
        let group = try group(shells, names)
        let result = await group.run("echo ok")
        XCTAssertEqual(result.successful().map(\.value.stdoutText), Array(repeating: "ok\n", count: names.count))
        XCTAssertEqual(result.failures().count, 0, messages(result))
        for tunnel in group.tunnels { XCTAssertTrue(tunnel.stderr.printsOnLogin, tunnel.name) }
        let banner = group.tunnels[0].stderr.lines
        XCTAssertTrue(banner.contains("(printed on login) Authorized use only. chop chop-agent- chop"), "\(banner)")
        XCTAssertTrue(group.tunnels[1].stderr.lines.contains("(printed on login) conda: base activated"))
        let large = group.tunnels[3].stderr.lines
        XCTAssertTrue(large.contains { $0.hasPrefix("(printed on login) line 0 of a banner") }, "\(large.prefix(3))")
        // A second connection of the same member starts the same way.
        await group.tunnels[0].disconnect()
        let again = try await group.tunnels[0].run("echo again")
        XCTAssertEqual(again.stdoutText, "again\n")
        await group.close()
        await assertNoStrayChildren()
    }

    /// Past 64 KiB before the agent, one line naming the likely cause and the log, which holds the start.
    func testEndlessLoginTextFailsWithOneLineAndTheLogHoldsItsStart() async throws {
        let shells = try requireLoginShells()
        let group = try group(shells, ["rc-endless"])
        let result = await group.run("echo ok")
        let error = try XCTUnwrap(result[0].error)
        XCTAssertEqual(error.cause, .tooMuchLoginText)
        // The library says what happened; the shell adds which of its commands helps (FailureHint).
        XCTAssertEqual(
            FailureHint.text(error, host: "rc-endless"),
            "the host printed more than 64 KiB before the agent started (an rc file that prints, or a login shell "
                + "that never runs chop's command); 'log rc-endless' shows the start of it")
        XCTAssertFalse(error.msg.contains("'log"), error.msg)
        XCTAssertEqual(
            group.tunnels[0].stderr.lines.first, "(printed on login) line 0 of an rc file that never stops talking")
        await group.close()
        await assertNoStrayChildren()
    }

    /// An rc file that sets PATH=/nonexistent: the agent still starts (`/bin/sh` and Python by absolute path),
    /// and `run` sees the login PATH, as ssh would.
    func testABrokenPathStillStartsAndRunUsesTheLoginPath() async throws {
        let shells = try requireLoginShells()
        let group = try group(shells, ["rc-path"])
        let result = await group.run("echo \"$PATH\"")
        XCTAssertEqual(result.successful().map(\.value.stdoutText), ["/nonexistent\n"], messages(result))
        await group.close()
        // Through sudo too: sudo is found at its usual place, and root gets sudo's own PATH.
        let root = try self.group(shells, ["rc-path"], sudo: true)
        let asRoot = await root.run("id -u")
        XCTAssertEqual(asRoot.successful().map(\.value.stdoutText), ["0\n"], messages(asRoot))
        await root.close()
    }

    /// A `sudo` planted earlier on the login account's PATH is never the one chop runs: sudo is called at its
    /// standard absolute place (issue #29: the account's PATH must not choose who gets the password).
    func testASudoPlantedOnThePathIsNotUsed() async throws {
        let shells = try requireLoginShells()
        let bin = "\(shells.home)/.fake-bin"
        let ran = "\(shells.home)/.fake-sudo-ran"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try "#!/bin/sh\ntouch \(ran)\nexec /usr/bin/sudo \"$@\"\n".write(
            toFile: "\(bin)/sudo", atomically: true, encoding: .utf8)
        chmod("\(bin)/sudo", 0o755)
        _ = try Command.run(["chown", "-R", "chop-bash:", bin])
        try? FileManager.default.removeItem(atPath: ran)
        defer { try? FileManager.default.removeItem(atPath: bin) }
        // The account's PATH does have the planted one first: a plain run finds it.
        let plain = try group(shells, ["rc-fakesudo"])
        let found = await plain.run("command -v sudo")
        XCTAssertEqual(found.successful().map(\.value.stdoutText), ["\(bin)/sudo\n"], messages(found))
        await plain.close()
        let root = try group(shells, ["rc-fakesudo"], sudo: true)
        let asRoot = await root.run("id -u")
        XCTAssertEqual(asRoot.successful().map(\.value.stdoutText), ["0\n"], messages(asRoot))
        await root.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: ran), "the sudo planted on PATH ran")
    }

    /// Every common login shell runs chop's command, and every operation works through it, with sudo too.
    func testEveryLoginShellRunsEveryOperation() async throws {
        let shells = try requireLoginShells()
        let names = LoginShells.shells.map { "login-\($0)" }
        let folder = try temporaryFolder(self)
        chmod(folder, 0o755)
        for sudo in [false, true] {
            let group = try group(shells, names, sudo: sudo)
            let login = await group.run("getent passwd \"$(id -un)\" | cut -d: -f7")
            if !sudo {
                XCTAssertEqual(
                    login.successful().map(\.value.stdoutText),
                    LoginShells.shells.map { LoginShells.shellPaths[$0]! + "\n" }, messages(login))
            }
            let tricky = await group.run("printf '%s|' 'a!b' \"$((6*7))\" '(x)' \"it's\"; echo\necho \"$(id -u)\"")
            let uids = try LoginShells.shells.map { sudo ? "0" : try uid("chop-\($0)") }
            XCTAssertEqual(
                tricky.successful().map(\.value.stdoutText), uids.map { "a!b|42|(x)|it's|\n\($0)\n" },
                messages(tricky))
            let calls = await group.call("os.path.exists", ["/etc/passwd"])
            XCTAssertEqual(calls.successful().count, names.count)
            try "#!/bin/sh\necho \"script $1\"\n".write(toFile: "\(folder)/s.sh", atomically: true, encoding: .utf8)
            let scripts = await group.script("\(folder)/s.sh", arguments: ["{host}"])
            XCTAssertEqual(scripts.successful().map(\.value.stdoutText), names.map { "script \($0)\n" })
            try "payload\n".write(toFile: "\(folder)/payload", atomically: true, encoding: .utf8)
            // Relative remote paths: each account's home, where the agent starts (root's too, under sudo).
            let puts = await group.put("\(folder)/payload", "chop-shell-put")
            XCTAssertEqual(puts.successful().count, names.count, "\(puts.failures().map { $0.error?.msg ?? "" })")
            let fetched = await group.fetch("chop-shell-put", to: "\(folder)/back-\(sudo)-{host}")
            XCTAssertEqual(fetched.successful().count, names.count, "\(fetched.failures().map { $0.error?.msg ?? "" })")
            for name in names {
                XCTAssertEqual(
                    try String(contentsOfFile: "\(folder)/back-\(sudo)-\(name)", encoding: .utf8), "payload\n")
            }
            _ = await group.run("rm -f chop-shell-put")
            await group.close()
        }
        await assertNoStrayChildren()
    }

    private func uid(_ user: String) throws -> String {
        try Command.run(["id", "-u", user]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// nologin, /bin/false and a ForceCommand never run chop's command: one line that says so, with what they
    /// printed, and a typed cause.
    func testAnAccountThatCannotRunACommandSaysSo() async throws {
        let shells = try requireLoginShells()
        let group = try group(shells, ["nologin", "false", "forced"])
        let result = await group.run("echo ok")
        XCTAssertEqual(result.failures().count, 3)
        for entry in result.failures() { XCTAssertEqual(entry.error?.cause, .loginShellRefused, entry.host) }
        XCTAssertEqual(
            result[0].error.map { FailureHint.text($0, host: "nologin") },
            "the account's login shell on nologin did not run chop's command (a nologin or false shell, or a "
                + "ForceCommand): This account is currently not available.; 'log nologin' shows what it printed")
        XCTAssertEqual(
            result[1].error.map { FailureHint.text($0, host: "false") },
            "the account's login shell on false did not run chop's command (a nologin or false shell, or a "
                + "ForceCommand) (exit status 1); 'log false' shows what it printed")
        XCTAssertTrue(
            result[2].error.map { FailureHint.text($0, host: "forced") }?.contains(": this account only shows a menu;")
                == true, messages(result))
        await group.close()
        await assertNoStrayChildren()
    }

    /// sudo with `Defaults requiretty`: the error names requiretty and what to change.
    func testSudoRequiringATerminalIsNamed() async throws {
        let shells = try requireLoginShells()
        let group = try group(shells, ["tty"], sudo: true)
        let result = await group.run("id -u")
        XCTAssertEqual(result[0].error?.cause, .sudoRequiresTTY)
        XCTAssertEqual(
            result[0].error.map { FailureHint.text($0, host: "nologin") },
            "sudo on tty requires a terminal (Defaults requiretty) and chop never allocates one: add "
                + "'Defaults:USER !requiretty' for the login user to the host's sudoers")
        await group.close()
    }

    /// A HOME that does not exist: sshd starts in /, the agent still runs (it keeps no compiled copy).
    func testAMissingHomeStillWorks() async throws {
        let shells = try requireLoginShells()
        let group = try group(shells, ["nohome"])
        let result = await group.run("pwd; echo \"$HOME\"")
        XCTAssertEqual(result.successful().map(\.value.stdoutText), ["/\n/nonexistent/chop-nohome\n"], messages(result))
        await group.close()
    }

    /// The server's Banner goes to ssh's stderr, never into the protocol or the output.
    func testAServerBannerIsNeverInTheWay() async throws {
        let shells = try requireLoginShells()
        let group = try group(shells, ["login-bash"])
        let result = await group.run("echo ok")
        XCTAssertEqual(result.successful().map(\.value.stdoutText), ["ok\n"], messages(result))
        XCTAssertFalse(group.tunnels[0].stderr.printsOnLogin)
        await group.close()
    }

    /// A temporary folder mounted `noexec`: `script` still runs, since the agent starts the script's interpreter
    /// and never executes the file itself.
    func testScriptRunsWhereTheTemporaryFolderIsMountedNoexec() async throws {
        let folder = try temporaryFolder(self)
        let mount = try Command.run(["mount", "-t", "tmpfs", "-o", "noexec,size=1m", "tmpfs", folder])
        guard mount.status == 0 else {
            if ProcessInfo.processInfo.environment["CI"] != nil { XCTFail("CI runs as root: \(mount.output)") }
            throw XCTSkip("cannot mount a tmpfs here: \(mount.output)")
        }
        defer { _ = try? Command.run(["umount", folder]) }
        let script = try temporaryFolder(self) + "/check.sh"
        try "#!/bin/sh\necho \"from $(dirname \"$0\")\"\n".write(toFile: script, atomically: true, encoding: .utf8)
        // The agent's temporary folder comes from its own environment, which a Local member inherits.
        setenv("TMPDIR", folder, 1)
        defer { unsetenv("TMPDIR") }
        let group = try Group([Tunnel(try Local("noexec"))])
        let direct = await group.run("cp /bin/true \"$TMPDIR\"/t && \"$TMPDIR\"/t")
        XCTAssertEqual(direct[0].value?.status, 126, "the folder must really be noexec")
        let result = await group.script(script)
        let output = try XCTUnwrap(result.successful().first?.value.stdoutText, result[0].error?.msg ?? "")
        XCTAssertTrue(output.hasPrefix("from \(folder)/chop-script-"), output)
        await group.close()
    }
}
