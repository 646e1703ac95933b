import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Every command driven in-process through `Session.execute` with a recording `ShellIO`, on real Local members:
/// no terminal and no chop child process, so each command's behaviour is checked quickly and exactly.
final class SessionCommandTests: SessionTestCase {
    func testMembersHostsRemoveAndUse() async throws {
        var step = await run("add local a")
        XCTAssertEqual(step.err, ["added 1 member: a"])
        step = await run("add local b --python python3")
        XCTAssertEqual(step.result, .ok)
        step = await run("add local a")
        XCTAssertEqual(step.result, .error)
        XCTAssertEqual(step.err, ["chop: 'a' is already a member; 'remove a' first to replace it"])
        step = await run("ping")
        XCTAssertTrue(step.out.last?.hasPrefix("2 hosts: 2 ok") == true, "\(step.out)")
        step = await run("hosts")
        XCTAssertEqual(step.out.first?.hasPrefix("NAME"), true)
        XCTAssertEqual(step.out.count, 3)
        XCTAssertTrue(step.out[1].hasPrefix("a ") && step.out[1].contains(" up "), step.out[1])

        step = await run("use b")
        XCTAssertEqual(step.result, .ok)
        let prompt = await session.prompt()
        XCTAssertEqual(prompt, "chop @b 2 hosts> ")
        step = await run("run echo one")
        XCTAssertTrue(step.out.last?.hasPrefix("1 host: 1 ok") == true, "\(step.out)")
        step = await run("use nosuch")
        XCTAssertEqual(step.err, ["chop: no member named 'nosuch'; 'hosts' lists them, 'add nosuch' adds it"])
        await run("use all")

        step = await run("remove a")
        XCTAssertEqual(step.err, ["removed 1 member: a"])
        let names = await session.memberNames
        XCTAssertEqual(names, ["b"])
    }

    func testResultsShowFailuresDiffAndExpect() async throws {
        await run("add local a")
        await run("add local b")
        var step = await run("@b run echo changed; exit 3")
        XCTAssertEqual(step.result, .hostsFailed)
        XCTAssertTrue(step.out.last?.contains("@failed = b") == true, "\(step.out)")

        step = await run("show b")
        XCTAssertEqual(step.out.count, 2)
        XCTAssertEqual(step.out.first?.hasPrefix("b · failed (exit 3) · "), true, "\(step.out)")
        XCTAssertEqual(step.out.last, "changed")
        step = await run("failures")
        XCTAssertEqual(step.out.first?.hasPrefix("b · failed (exit 3)"), true, "\(step.out)")
        step = await run("show a")
        XCTAssertEqual(step.err, ["chop: 'a' was not part of the last operation (@b run echo changed; exit 3)"])

        await run("run echo same")
        step = await run("diff a b")
        XCTAssertEqual(step.out, ["no differences between a and b"])

        step = await run("expect ok")
        XCTAssertEqual(step.result, .ok)
        await run("@a run false")
        step = await run("expect failed a")
        XCTAssertEqual(step.result, .ok)
        step = await run("expect ok")
        XCTAssertEqual(step.result, .error)
        XCTAssertEqual(step.err.first?.hasPrefix("chop: expect ok: failed on a"), true, "\(step.err)")
        step = await run("@failed run echo retried")
        XCTAssertTrue(step.out.contains { $0.hasPrefix("a ") && $0.hasSuffix("retried") }, "\(step.out)")
        step = await run("last")
        XCTAssertTrue(step.out.contains { $0.hasSuffix("retried") }, "\(step.out)")
    }

    func testSettingsComeFromOneTable() async throws {
        var step = await run("set")
        XCTAssertEqual(step.out.map { String($0.prefix { $0 != " " }) }, Setting.keys)
        step = await run("set fanout 3")
        XCTAssertEqual(step.result, .ok)
        let fanout = await session.settings.fanout
        XCTAssertEqual(fanout, 3)
        step = await run("set fanout")
        XCTAssertEqual(step.out, ["fanout 3"])
        step = await run("set fanout 0")
        XCTAssertEqual(step.err, ["chop: fanout must be a number of hosts from 1 to 10000, not '0'"])
        step = await run("set gather yes")
        XCTAssertEqual(step.err, ["chop: gather must be exact, similar or off, not 'yes'"])
        step = await run("set timeout 2.5")
        step = await run("set timeout")
        XCTAssertEqual(step.out, ["timeout 2.5 s"])
        // Every value the table offers for completion is accepted by `set`.
        for setting in Setting.all {
            for value in setting.choices {
                let result = await run("set \(setting.key) \(value)")
                XCTAssertEqual(result.result, .ok, "set \(setting.key) \(value): \(result.err)")
            }
        }
    }

    func testCallPyFactsPutFetchAndPing() async throws {
        let folder = try temporaryFolder(self)
        await run("add local a")
        var step = await run("call os.path.join /etc hosts")
        XCTAssertTrue(step.out.contains { $0.hasSuffix("\"/etc/hosts\"") }, "\(step.out)")
        step = await run("py x = 41")
        step = await run("py x + 1")
        XCTAssertTrue(step.out.contains { $0.hasSuffix(" 42") }, "\(step.out)")
        step = await run("facts cpus")
        XCTAssertEqual(step.result, .ok)
        let facts = await session.factNames
        XCTAssertTrue(facts.contains("cpus") && facts.contains("memory"), "\(facts)")
        let help = await run("help facts")
        XCTAssertTrue(help.out.contains { $0.hasPrefix("Names: ") && $0.contains("loadavg") }, "\(help.out)")
        try "payload".write(toFile: "\(folder)/in", atomically: true, encoding: .utf8)
        step = await run("put \(folder)/in \(folder)/out --mode 0600")
        XCTAssertTrue(step.out.contains { $0.contains("\(folder)/out 7 bytes sha1") }, "\(step.out)")
        // The whole line (the table cuts it): the sha1sum of "payload".
        let shown = await run("show a")
        XCTAssertTrue(
            shown.out.contains { $0.contains("\(folder)/out 7 bytes sha1 f07e5a815613c5abeddc4b682247a4c42d8a95df") },
            "\(shown.out)")
        // --mode is the file's mode on the host, whatever the umask.
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/out", encoding: .utf8), "payload")
        let mode = try FileManager.default.attributesOfItem(atPath: "\(folder)/out")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        step = await run("fetch \(folder)/out \(folder)/{host}.back")
        XCTAssertEqual(try String(contentsOfFile: "\(folder)/a.back", encoding: .utf8), "payload")
        step = await run("put \(folder)/missing")
        XCTAssertEqual(step.err, ["chop: local file not found: \(folder)/missing"])
        step = await run("ping")
        XCTAssertTrue(step.out.contains { $0.hasSuffix(" ms") }, "\(step.out)")
    }

    func testConnectionCommandsAndLog() async throws {
        await run("add local a")
        var step = await run("connect")
        XCTAssertTrue(step.out.contains { $0.hasSuffix("connected") }, "\(step.out)")
        step = await run("disconnect a")
        XCTAssertEqual(step.err, ["disconnected 1 member: a"])
        var state = await session.members().first?.state
        XCTAssertEqual(state, "idle")
        step = await run("reconnect")
        state = await session.members().first?.state
        XCTAssertEqual(state, "up")
        step = await run("@a py import sys; sys.__stderr__.write('note\\n'); sys.__stderr__.flush()")
        XCTAssertEqual(step.result, .ok)
        let logged = await waitUntil(timeout: 5) { await self.run("log").out.contains("a: note") }
        XCTAssertTrue(logged)
    }

    func testRecordAndSourceReplayASession() async throws {
        let folder = try temporaryFolder(self)
        await run("add local a --python python3")
        var step = await run("record \(folder)/s.chop")
        XCTAssertEqual(step.err, ["recording commands to \(folder)/s.chop; 'record off' stops"])
        await run("run echo recorded")
        await run(" run echo secret")
        await run("help")
        await run("record off")
        let script = try String(contentsOfFile: "\(folder)/s.chop", encoding: .utf8)
        XCTAssertFalse(script.contains("secret"), "a line with a leading space is not recorded: \(script)")
        let mode = try FileManager.default.attributesOfItem(atPath: "\(folder)/s.chop")[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        XCTAssertTrue(script.contains("add local a --python python3\n"), script)
        XCTAssertTrue(script.contains("run echo recorded\n"), script)
        XCTAssertFalse(script.contains("help"), script)

        let replay = Session(io: recording.io)
        let result = await replay.execute("source \(folder)/s.chop")
        XCTAssertEqual(recording.takeErr(), ["added 1 member: a"])
        XCTAssertEqual(result, .ok)
        XCTAssertTrue(recording.takeOut().contains { $0.hasSuffix("recorded") })
        await replay.close()
        step = await run("source \(folder)/none.chop")
        XCTAssertEqual(step.err, ["chop: cannot read script \(folder)/none.chop"])
    }

    func testUnknownAndMalformedLinesLoseNothing() async throws {
        await run("add local a")
        var step = await run("frobnicate now")
        XCTAssertEqual(step.err, ["chop: unknown command 'frobnicate' — to run it on the hosts: run frobnicate now"])
        step = await run("@a use b")
        XCTAssertEqual(step.err, ["chop: '@a' applies to operations such as run, not to 'use'"])
        step = await run("add -evil")
        XCTAssertEqual(step.result, .error)
        step = await run("quit")
        XCTAssertEqual(step.result, .quit)
        let quit = await session.quitRequested
        XCTAssertTrue(quit)
        let names = await session.memberNames
        XCTAssertEqual(names, ["a"])
    }

    func testNumberedResultsShowLastDiffAndTargets() async throws {
        await run("add local a")
        await run("add local b")
        var step = await run("run echo one")
        XCTAssertTrue(step.out.last?.contains(" · %1") == true, "\(step.out)")
        step = await run("@b run echo two; exit 1")
        XCTAssertTrue(step.out.last?.contains(" · %2 · @failed = b") == true, "\(step.out)")
        step = await run("run echo three")
        step = await run("results")
        XCTAssertEqual(step.out.first?.hasPrefix("RESULT"), true, "\(step.out)")
        XCTAssertEqual(step.out.count, 4)
        XCTAssertTrue(step.out[2].hasPrefix("%2 ") && step.out[2].contains("@b run echo two; exit 1"), step.out[2])

        step = await run("show %1 b")
        XCTAssertEqual(step.out.last, "one")
        step = await run("show %2 a")
        XCTAssertEqual(step.err, ["chop: 'a' was not part of result %2 (@b run echo two; exit 1)"])
        step = await run("last %2")
        XCTAssertEqual(step.result, .hostsFailed)
        XCTAssertTrue(step.out.contains { $0.hasPrefix("b ") && $0.hasSuffix("two") }, "\(step.out)")
        step = await run("show %9 a")
        XCTAssertEqual(step.err, ["chop: no result %9 (kept: %1 to %3); 'results' lists them"])

        step = await run("diff %1 %3")
        XCTAssertEqual(step.out.first, "── a,b (2) changed ──")
        XCTAssertTrue(step.out.contains("-one") && step.out.contains("+three"), "\(step.out)")
        step = await run("diff %3 %3")
        XCTAssertEqual(step.out, ["unchanged: a,b (2)"])
        step = await run("@%2.failed run echo retry")
        XCTAssertTrue(step.out.last?.hasPrefix("1 host: 1 ok") == true, "\(step.out)")
        step = await run("@%2.ok run true")
        XCTAssertEqual(step.err, ["chop: '@%2.ok' selects no host"])

        step = await run("set history-results 2")
        await run("run echo four")
        step = await run("results")
        XCTAssertEqual(step.out.count, 3, "\(step.out)")
    }

    /// `add local` takes several names and ranges as `add` does; `results` shows the target each result ran on
    /// as it was resolved, not as it was typed.
    func testAddLocalRangesAndResultsShowResolvedTargets() async throws {
        var step = await run("add local w[1-3] spare")
        XCTAssertEqual(step.err, ["added 4 members: spare,w[1-3]"], "\(step.err)")
        step = await run("hosts")
        XCTAssertEqual(
            step.out.dropFirst().compactMap { $0.split(separator: " ").first }, ["w1", "w2", "w3", "spare"])
        step = await run("add local w3")
        XCTAssertEqual(step.err, ["chop: 'w3' is already a member; 'remove w3' first to replace it"])
        step = await run("add local n[-1-1]")
        XCTAssertEqual(step.err, ["added 3 members: n[-1-1]"], "folded as nodeset -f n[-1-1] folds it")
        step = await run("add local x[2-1]")
        XCTAssertEqual(step.result, .error)
        XCTAssertTrue(step.err.first?.contains("bad name list 'x[2-1]'") == true, "\(step.err)")

        await run("@w* run true")
        await run("@spare run true")
        step = await run("results")
        let columns = step.out.map {
            $0.components(separatedBy: "  ").filter { !$0.isEmpty }.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        XCTAssertEqual(columns.first?.prefix(4), ["RESULT", "COMMAND", "TARGET", "HOSTS"])
        XCTAssertEqual(columns[1].prefix(4), ["%1", "@w* run true", "w[1-3]", "3"])
        XCTAssertEqual(columns[2].prefix(4), ["%2", "@spare run true", "spare", "1"])
        await run("set output json")
        step = await run("results")
        XCTAssertTrue(step.out.joined().contains("\"target\":\"w[1-3]\""), "\(step.out)")
    }

    /// With the default `gather similar`, the table gives alike answers one row; `show` keeps each exact value.
    func testTheTableGathersAlikeAnswers() async throws {
        await run("add local w[1-6]")
        await run("set output table")
        var step = await run("run echo worker pid $$ ready")
        XCTAssertEqual(step.out.count, 3, "\(step.out)")
        XCTAssertTrue(
            step.out[1].hasPrefix("w[1-6] (6)") && step.out[1].hasSuffix("worker pid ⟨6 values⟩ ready"), step.out[1])
        step = await run("show %1 w3")
        XCTAssertTrue(
            step.out.last?.hasPrefix("worker pid ") == true && step.out.last?.contains("⟨") == false, "\(step.out)")
        // `call` results that are numbers gather too; JSON keeps each exact value.
        step = await run("call os.getpid")
        XCTAssertEqual(step.out.count, 3, "\(step.out)")
        XCTAssertTrue(step.out[1].hasSuffix("⟨6 values⟩"), step.out[1])
        await run("set output json")
        step = await run("call os.getpid")
        let report = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(step.out.joined().utf8)) as? [String: Any], "\(step.out)")
        let pids = (report["hosts"] as? [[String: Any]] ?? []).compactMap { $0["value"] as? Int }
        XCTAssertEqual(Set(pids).count, 6, "\(step.out)")
        await run("set output table")
        await run("set gather exact")
        step = await run("run echo worker pid $$ ready")
        XCTAssertEqual(step.out.count, 8, "one row per host: \(step.out)")
    }

    func testBlocksAndOutliersThroughTheSession() async throws {
        await run("add local a")
        await run("add local b")
        await run("add local c")
        await run("set output blocks")
        var step = await run("run echo same; echo pid $$")
        XCTAssertEqual(step.out.first, "── a,b,c (3) ok · 1 token vary ──")
        XCTAssertTrue(step.out[1] == "same", "\(step.out)")
        XCTAssertTrue(step.out[2].hasPrefix("pid ⟨"), "\(step.out)")
        // A host whose answer differs in words stands outside the largest block: @outliers names it.
        await run("@a,b py tag = 'even'")
        await run("@c py tag = 'odd'")
        step = await run("py print(tag); print('done')")
        XCTAssertEqual(step.out.first, "── a,b (2) ok ──", "\(step.out)")
        XCTAssertTrue(step.out.last?.hasSuffix("@outliers = c") == true, "\(step.out)")
        step = await run("@outliers py tag")
        XCTAssertTrue(step.out.last?.hasPrefix("1 host: 1 ok") == true, "\(step.out)")
        await run("set output auto")
        step = await run("run echo alike")
        XCTAssertEqual(step.out.first?.hasPrefix("HOSTS"), true, "one-line answers: the table \(step.out)")
        step = await run("run echo multi; echo line")
        XCTAssertEqual(step.out.first, "── a,b,c (3) ok ──", "several lines: blocks \(step.out)")
    }

    func testWatchAppendsCountedRoundsAndNamesChanges() async throws {
        await run("add local a")
        var step = await run("watch 0.05 --count 3 py import random; random.random()")
        XCTAssertEqual(step.result, .ok)
        XCTAssertEqual(step.out.filter { $0.hasPrefix("changed since the last round: a (1)") }.count, 2, "\(step.out)")
        XCTAssertEqual(step.err.filter { $0.hasPrefix("watch round") }.count, 3)
        let numbers = await session.history.entries.map(\.number)
        XCTAssertEqual(numbers, [1, 2, 3])
        step = await run("watch run true")
        XCTAssertEqual(step.err, ["chop: watch in a script needs --count N, or it would never end"])
        step = await run("watch 2 use all")
        XCTAssertEqual(step.result, .error)
        step = await run("watch --count 2 run echo same")
        XCTAssertTrue(step.out.contains("no host changed since the last round"), "\(step.out)")
    }

    /// In `output lines`, each line appears as the host prints it, stdout and stderr told apart; the result keeps
    /// the whole output for show.
    func testLiveLinesAppearWhileTheCommandRuns() async throws {
        await run("add local a")
        await run("set output lines")
        let session = self.session!
        // The command prints its last line only once the test has seen the first two and created `go`: lines
        // that waited for the command's end would never be seen (the command then ends after 30 s, printing
        // nothing more), whatever the machine's speed.
        let go = try temporaryFolder(self) + "/go"
        let running = Task {
            await session.execute(
                "run echo first; echo warn >&2; for i in $(seq 3000); do [ -e \(go) ] && printf last && break; "
                    + "sleep 0.01; done")
        }
        let early = await waitUntil(timeout: 20) {
            let out = self.recording.peekOut()
            return out.contains("a: first") && out.contains("a:err: warn")
        }
        XCTAssertTrue(early, "the first lines waited for the command: \(recording.peekOut())")
        XCTAssertTrue(FileManager.default.createFile(atPath: go, contents: nil))
        let result = await running.value
        XCTAssertEqual(result, .ok)
        // stdout and stderr are read apart, so only each stream's own order is certain.
        let lines = recording.takeOut()
        XCTAssertEqual(Set(lines), ["a: first", "a:err: warn", "a: last"])
        XCTAssertEqual(lines.filter { !$0.contains(":err:") }, ["a: first", "a: last"])
        var step = await run("show a")
        XCTAssertEqual(step.out.dropFirst().first, "first")
        step = await run("last")
        XCTAssertEqual(step.out, ["a: first", "a: last", "a:err: warn"])
    }

    /// Output beyond keep-bytes goes to a 0600 file that show reads back; the file goes with its result.
    func testLargeOutputSpillsToAFileAndComesBackWhole() async throws {
        let folder = try temporaryFolder(self) + "/results"
        let spilling = Session(io: recording.io, resultsFolder: folder)
        await spilling.execute("add local a")
        await spilling.execute("set keep-bytes 1024")
        await spilling.execute("set history-results 1")
        let result = await spilling.execute("run head -c 100000 /dev/zero | tr '\\0' x; echo; echo tail-line")
        XCTAssertEqual(result, .ok, "\(recording.takeErr())")
        let file = "\(folder)/1/a.out"
        let attributes = try FileManager.default.attributesOfItem(atPath: file)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual((attributes[.size] as? NSNumber)?.intValue, 100_011)
        let kept = await spilling.lastReport?.outcomes.first?.output.utf8.count ?? 0
        XCTAssertLessThanOrEqual(kept, 1024, "only keep-bytes stay in memory")
        _ = recording.takeOut()
        await spilling.execute("show a")
        let shown = recording.takeOut()
        XCTAssertEqual(shown.dropFirst().first?.count, 100_000)
        XCTAssertEqual(shown.last, "tail-line")
        await spilling.execute("run echo small")
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(folder)/1"), "result 1 left the history")
        await spilling.close()
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder), "the folder goes at exit")
    }

    /// Closing the session ends a member's connect still under way (its tunnel is cancelled, its background
    /// task ended) at once: quitting never waits out a connect timeout, and nothing is left running.
    func testClosingEndsConnectsStillUnderWay() async throws {
        let folder = try temporaryFolder(self)
        let python = "\(folder)/slow-python"
        try "#!/bin/sh\nexec sleep 30\n".write(toFile: python, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: python)
        let closing = Session(io: recording.io)
        await closing.execute("set connect-timeout 60")
        await closing.execute("add local slow --python \(python)")
        let connecting = await waitUntil(timeout: 10) { ProcessTree.isRunning("sleep 30") }
        XCTAssertTrue(connecting)
        let sleeping = ProcessTree.descendants().filter { ProcessTree.commandLine($0).contains("sleep 30") }
        XCTAssertFalse(sleeping.isEmpty)
        let start = ContinuousClock.now
        await closing.close()
        // Far below the 60 s connect timeout and the 30 s sleep: close() did not wait for either.
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
        XCTAssertEqual(ProcessTree.survivors(sleeping), [], "the connect's child outlived close()")
    }
}
