import XCTest

@testable import ChopShell

final class CommandParserTests: XCTestCase {
    // MARK: - Helpers

    /// The command of a line that must parse, with no target.
    private func command(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Parsed? {
        do {
            guard let parsed = try CommandParser.parse(text) else {
                XCTFail("'\(text)' parsed as nothing", file: file, line: line)
                return nil
            }
            XCTAssertNil(parsed.target, "unexpected target for '\(text)'", file: file, line: line)
            return Parsed(parsed.command)
        } catch {
            XCTFail("'\(text)' failed: \(error.message)", file: file, line: line)
            return nil
        }
    }

    /// A whole line as tests compare it: its target and its command.
    private struct Line: Equatable {
        var target: String?
        var command: Parsed
    }

    private func line(_ text: String) throws(ParseError) -> Line? {
        try CommandParser.parse(text).map { Line(target: $0.target, command: Parsed($0.command)) }
    }

    /// The message of a line that must fail.
    private func failure(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        do {
            let parsed = try CommandParser.parse(text)
            XCTFail("'\(text)' parsed as \(String(describing: parsed))", file: file, line: line)
            return nil
        } catch {
            return error.message
        }
    }

    /// The arguments of a `call` line that must parse.
    private func callArguments(_ text: String, file: StaticString = #filePath, line: UInt = #line)
        -> [String]?
    {
        guard let call = command(text, file: file, line: line)?.command as? CallCommand else {
            XCTFail("'\(text)' is not a call", file: file, line: line)
            return nil
        }
        return call.args
    }

    private func usage(_ command: String) -> String {
        " — usage: " + CommandHelp.usage(command)
    }

    // MARK: - Blank lines and comments

    func testBlankAndCommentLinesParseAsNothing() throws {
        XCTAssertNil(try line(""))
        XCTAssertNil(try line("   \t "))
        XCTAssertNil(try line("\r\n"))
        XCTAssertNil(try line("# a comment"))
        XCTAssertNil(try line("   #run uptime"))
    }

    func testTrailingCommentIsDroppedFromWordCommands() {
        XCTAssertEqual(command("use web1   # the canary"), .use("web1"))
        XCTAssertEqual(command("facts # everything"), .facts([]))
        XCTAssertEqual(command("use web1#2"), .use("web1#2"))
        XCTAssertEqual(command("use 'a #b' # c"), .use("a #b"))
        XCTAssertEqual(command(#"use "a\" #b""#), .use(#"a" #b"#))
        XCTAssertEqual(command(#"use a\ #b"#), .use("a #b"))
    }

    // MARK: - Raw remainders

    func testRunKeepsTheRestOfTheLineExactly() {
        XCTAssertEqual(command(#"run echo "a  b" | tr a b"#), .run(#"echo "a  b" | tr a b"#))
        XCTAssertEqual(command("run   ls\t-l  *.txt  "), .run("ls\t-l  *.txt"))
        XCTAssertEqual(command("run\tuptime"), .run("uptime"))
        XCTAssertEqual(command("  run uptime\r\n"), .run("uptime"))
        XCTAssertEqual(
            command(#"run echo 'it'\''s' $HOME \"x\" # comment"#),
            .run(#"echo 'it'\''s' $HOME \"x\" # comment"#))
        XCTAssertEqual(command("run echo 'unterminated"), .run("echo 'unterminated"))
        XCTAssertEqual(command("run a;b && c > /tmp/out 2>&1"), .run("a;b && c > /tmp/out 2>&1"))
    }

    func testRawRemainderKeepsAnEscapedTrailingSpace() {
        XCTAssertEqual(command(#"run echo a\ "#), .run(#"echo a\ "#))
        XCTAssertEqual(command("run echo a\\ \t "), .run(#"echo a\ "#))
        XCTAssertEqual(command(#"run echo a\\ "#), .run(#"echo a\\"#))
    }

    func testPyKeepsTheRestOfTheLineExactly() {
        XCTAssertEqual(command("py import os; print( os.getcwd() )  "), .py("import os; print( os.getcwd() )"))
        XCTAssertEqual(command(#"py d = {'a': "b"}"#), .py(#"d = {'a': "b"}"#))
    }

    func testBangRunsLocallyWithoutASpace() {
        XCTAssertEqual(command("!ls -l"), .local("ls -l"))
        XCTAssertEqual(command("!  ls  -l  "), .local("ls  -l"))
        XCTAssertEqual(command(#"!echo "x  y" | wc -c"#), .local(#"echo "x  y" | wc -c"#))
        XCTAssertEqual(failure("!"), "! needs a local command, e.g. !ls -l")
        XCTAssertEqual(failure("!   "), "! needs a local command, e.g. !ls -l")
    }

    func testRawCommandsNeedText() {
        XCTAssertEqual(failure("run"), "run needs a command, e.g. run uptime")
        XCTAssertEqual(failure("run    "), "run needs a command, e.g. run uptime")
        XCTAssertEqual(failure("py"), "py needs Python code, e.g. py import os; os.getcwd()")
    }

    // MARK: - Targets

    func testTargetPrefixIsKeptRaw() throws {
        XCTAssertEqual(
            try line("@web1,web3 run uptime"),
            Line(target: "web1,web3", command: .run("uptime")))
        XCTAssertEqual(try line("@web* facts"), Line(target: "web*", command: .facts([])))
        XCTAssertEqual(try line("@db[1-3] ping"), Line(target: "db[1-3]", command: .ping))
        XCTAssertEqual(
            try line("@failed run systemctl restart app"),
            Line(target: "failed", command: .run("systemctl restart app")))
        XCTAssertEqual(try line("  @all   run  x "), Line(target: "all", command: .run("x")))
    }

    func testEveryOperationAcceptsATarget() throws {
        let lines: [(String, Parsed)] = [
            ("hosts", .hosts),
            ("connect", .connect([])),
            ("disconnect", .disconnect([])),
            ("reconnect", .reconnect([])),
            ("trust", Parsed(TrustCommand())),
            ("password", Parsed(PasswordCommand())),
            ("run id", .run("id")),
            ("call os.getpid", .call(function: "os.getpid", args: [], kwargs: [:])),
            ("py 1 + 1", .py("1 + 1")),
            ("where x > 1", Parsed(WhereCommand(expression: "x > 1"))),
            ("script f -v", Parsed(ScriptCommand(local: "f", arguments: ["-v"]))),
            ("cd /srv", Parsed(CdCommand(directory: "/srv"))),
            ("pwd", Parsed(PwdCommand())),
            ("facts os", .facts(["os"])),
            ("put a b", .put(local: "a", remote: "b", mode: nil)),
            ("fetch a b", .fetch(remote: "a", localTemplate: "b")),
            ("sync a b", Parsed(SyncCommand(local: "a", remote: "b"))),
            ("ping", .ping),
        ]
        XCTAssertEqual(lines.map { String($0.0.split(separator: " ")[0]) }, CommandRegistry.operationNames)
        for (text, expected) in lines {
            XCTAssertEqual(
                try line("@web[1-2] " + text),
                Line(target: "web[1-2]", command: expected))
        }
    }

    func testTargetIsRefusedBeforeOtherCommands() {
        for word in [
            "set", "use", "add", "remove", "last", "failures", "show", "diff", "source", "record",
            "expect", "help", "quit", "exit",
        ] {
            XCTAssertEqual(failure("@web1 \(word) x"), "'@web1' applies to operations such as run, not to '\(word)'")
        }
        XCTAssertEqual(failure("@web* !ls"), "'@web*' applies to operations such as run, not to '!'")
    }

    func testTargetNeedsANameAndACommand() {
        XCTAssertEqual(failure("@"), "'@' needs a target before the command, e.g. @web1 run uptime")
        XCTAssertEqual(failure("@ run uptime"), "'@' needs a target before the command, e.g. @web1 run uptime")
        XCTAssertEqual(failure("@web1"), "'@web1' needs a command after it, e.g. @web1 run uptime")
        XCTAssertEqual(failure("@web1   "), "'@web1' needs a command after it, e.g. @web1 run uptime")
        XCTAssertEqual(failure("@web1 # later"), "'@web1' needs a command after it, e.g. @web1 run uptime")
    }

    func testTargetAndConnectionArgumentsAreExclusive() {
        XCTAssertEqual(
            failure("@web1 connect web2"),
            "give the hosts either as '@web1' or after connect, not both" + usage("connect"))
    }

    // MARK: - Unknown commands

    func testUnknownCommandSuggestsRun() {
        XCTAssertEqual(failure("uptime"), "unknown command 'uptime' — to run it on the hosts: run uptime")
        XCTAssertEqual(failure("  ls -l /tmp  "), "unknown command 'ls' — to run it on the hosts: run ls -l /tmp")
        XCTAssertEqual(
            failure("@web1 systemctl  status nginx"),
            "unknown command 'systemctl' — to run it on the hosts: run systemctl  status nginx")
        XCTAssertEqual(failure("?"), "unknown command '?' — to run it on the hosts: run ?")
    }

    func testUnknownCommandSuggestsTheCommandItLooksLike() {
        XCTAssertEqual(failure("rn uptime"), "unknown command 'rn' — did you mean 'run'?")
        XCTAssertEqual(failure("hots"), "unknown command 'hots' — did you mean 'hosts'?")
        XCTAssertEqual(failure("fatcs os"), "unknown command 'fatcs' — did you mean 'facts'?")
        XCTAssertEqual(failure("hsot"), "unknown command 'hsot' — did you mean 'hosts'?")
        XCTAssertEqual(failure("conect web1"), "unknown command 'conect' — did you mean 'connect'?")
        XCTAssertEqual(failure("exti"), "unknown command 'exti' — did you mean 'exit'?")
        XCTAssertEqual(failure("Run uptime"), "unknown command 'Run' — did you mean 'run'?")
        XCTAssertEqual(failure("HOSTS"), "unknown command 'HOSTS' — did you mean 'hosts'?")
        XCTAssertEqual(failure("@web1 pign"), "unknown command 'pign' — did you mean 'ping'?")
    }

    func testCommonProgramsAreNotTakenForTypos() {
        XCTAssertEqual(failure("ls"), "unknown command 'ls' — to run it on the hosts: run ls")
        XCTAssertEqual(failure("ps aux"), "unknown command 'ps' — to run it on the hosts: run ps aux")
        XCTAssertEqual(failure("sed -n 1p f"), "unknown command 'sed' — to run it on the hosts: run sed -n 1p f")
        XCTAssertEqual(failure("curl -s x"), "unknown command 'curl' — to run it on the hosts: run curl -s x")
        XCTAssertEqual(
            failure("cat /etc/hosts"),
            "unknown command 'cat' — to run it on the hosts: run cat /etc/hosts")
    }

    func testCommandWordsAreExact() {
        XCTAssertEqual(failure("runuptime"), "unknown command 'runuptime' — to run it on the hosts: run runuptime")
        XCTAssertEqual(failure("'run' x"), "unknown command ''run'' — did you mean 'run'?")
    }

    func testEditDistanceCountsASwapAsOneEdit() {
        XCTAssertEqual(Suggestion.editDistance("facts", "facts"), 0)
        XCTAssertEqual(Suggestion.editDistance("fatcs", "facts"), 1)
        XCTAssertEqual(Suggestion.editDistance("rn", "run"), 1)
        XCTAssertEqual(Suggestion.editDistance("", "run"), 3)
        XCTAssertEqual(Suggestion.editDistance("ls", "last"), 2)
        XCTAssertEqual(Suggestion.closest(to: "ls", among: CommandRegistry.commandNames), nil)
        XCTAssertEqual(Suggestion.closest(to: "disconect", among: CommandRegistry.commandNames), "disconnect")
    }

    // MARK: - Quoting and control characters

    func testWordCommandsHonourShellQuoting() {
        XCTAssertEqual(command(#"put "my file" '/tmp/a b'"#), .put(local: "my file", remote: "/tmp/a b", mode: nil))
        XCTAssertEqual(command(#"put my\ file x"#), .put(local: "my file", remote: "x", mode: nil))
        XCTAssertEqual(command(#"source "dir/it's.chop""#), .source("dir/it's.chop"))
        XCTAssertEqual(command("set docker-image ''python:3''"), .set(key: "docker-image", value: "python:3"))
    }

    func testUnfinishedQuotingIsReported() {
        XCTAssertEqual(failure("put 'abc"), "unterminated single quote: add the closing '")
        XCTAssertEqual(failure(#"put "abc"#), #"unterminated double quote: add the closing ""#)
        XCTAssertEqual(
            failure(#"put abc\"#),
            #"trailing backslash with nothing to escape: remove it, or write \\ for a backslash"#)
    }

    func testControlCharactersInMessagesAreVisible() {
        XCTAssertEqual(
            failure("add 'web\u{1B}[2J'"),
            "'web^[[2J': host names cannot contain spaces or control characters" + usage("add"))
        XCTAssertEqual(failure("up\u{07}time"), "unknown command 'up^Gtime' — to run it on the hosts: run up^Gtime")
        XCTAssertEqual(ParseError("a\nb").message, "a^Jb")
        XCTAssertEqual(ParseError(message: "x").description, "x")
    }

    // MARK: - add

    func testAddHosts() {
        XCTAssertEqual(
            command("add web[1-3] user@db:2222 --python /usr/bin/python3.9"),
            .add(hosts: ["web[1-3]", "user@db:2222"], python: "/usr/bin/python3.9"))
        XCTAssertEqual(command("add web1"), .add(hosts: ["web1"], python: nil))
        XCTAssertEqual(
            command("add --python=/opt/py/bin/python3 a b,c"),
            .add(hosts: ["a", "b,c"], python: "/opt/py/bin/python3"))
        XCTAssertEqual(command("add web[01-12].example.com"), .add(hosts: ["web[01-12].example.com"], python: nil))
    }

    func testAddHostErrors() {
        XCTAssertEqual(failure("add"), "add needs at least one host, e.g. add web[01-04]" + usage("add"))
        XCTAssertEqual(failure("add --python /p"), "add needs at least one host, e.g. add web[01-04]" + usage("add"))
        XCTAssertEqual(
            failure("add -x web1"),
            "unknown option '-x' for add; host names cannot start with '-'" + usage("add"))
        XCTAssertEqual(
            failure("add web1 --pyhton /p"),
            "unknown option '--pyhton' for add; host names cannot start with '-'" + usage("add"))
        XCTAssertEqual(
            failure("add web1 --python"),
            "--python needs a value, e.g. --python /usr/bin/python3" + usage("add"))
        XCTAssertEqual(
            failure("add web1 --python --x"),
            "--python needs a value, e.g. --python /usr/bin/python3" + usage("add"))
        XCTAssertEqual(failure("add web1 --python=/a --python /b"), "--python is given twice" + usage("add"))
        XCTAssertEqual(
            failure(#"add "web 1""#),
            "'web 1': host names cannot contain spaces or control characters" + usage("add"))
        XCTAssertEqual(failure("add ''"), "host names cannot be empty" + usage("add"))
        XCTAssertEqual(
            failure("add @@web1"),
            "'@web1': host names cannot start with '@', which marks a target" + usage("add"))
        XCTAssertEqual(failure("add @"), "host names cannot be empty" + usage("add"))
        XCTAssertEqual(failure("add web1 --via"), "--via needs a value, e.g. --via bastion" + usage("add"))
        XCTAssertEqual(failure("add web1 --via a,"), "--via needs jump hosts such as bastion or a,b" + usage("add"))
        XCTAssertEqual(failure("add web1 --via a --via b"), "--via is given twice" + usage("add"))
        XCTAssertEqual(
            failure("add web1 --via @a"), "'@a': host names cannot start with '@', which marks a target" + usage("add"))
        XCTAssertEqual(
            failure("add web*"),
            "'web*': host names cannot contain '*' or '?'; globs select hosts already added" + usage("add"))
    }

    func testAddOtherKinds() {
        XCTAssertEqual(command("add local"), .addLocal(names: [], python: nil))
        XCTAssertEqual(command("add local box"), .addLocal(names: ["box"], python: nil))
        XCTAssertEqual(command("add local a w[1-3]"), .addLocal(names: ["a", "w[1-3]"], python: nil))
        XCTAssertEqual(command("add sudo"), .addSudo(user: nil, name: nil, python: nil))
        XCTAssertEqual(command("add sudo postgres"), .addSudo(user: "postgres", name: nil, python: nil))
        XCTAssertEqual(command("add sudo postgres pg"), .addSudo(user: "postgres", name: "pg", python: nil))
        XCTAssertEqual(
            command("add docker t1 t2 --image python:3-slim"),
            .addDocker(names: ["t1", "t2"], image: "python:3-slim", python: nil))
        XCTAssertEqual(
            command("add docker --image=python:3 t1"), .addDocker(names: ["t1"], image: "python:3", python: nil))
        XCTAssertEqual(command("add docker t1"), .addDocker(names: ["t1"], image: nil, python: nil))
        XCTAssertEqual(command("add container c1 c2"), .addContainer(names: ["c1", "c2"], python: nil))
    }

    /// Every form of add that starts a Python takes --python, as `help add` promises.
    func testEveryAddFormTakesPython() {
        let python = "/usr/bin/python3.9"
        XCTAssertEqual(command("add web1 --python \(python)"), .add(hosts: ["web1"], python: python))
        XCTAssertEqual(command("add local py36 --python \(python)"), .addLocal(names: ["py36"], python: python))
        XCTAssertEqual(command("add local --python=\(python)"), .addLocal(names: [], python: python))
        XCTAssertEqual(
            command("add sudo postgres pg --python \(python)"), .addSudo(user: "postgres", name: "pg", python: python))
        XCTAssertEqual(
            command("add docker t1 --python \(python) --image python:3"),
            .addDocker(names: ["t1"], image: "python:3", python: python))
        XCTAssertEqual(command("add container c1 --python \(python)"), .addContainer(names: ["c1"], python: python))
        for form in ["add local a", "add sudo", "add docker t1", "add container c1"] {
            let key = form.split(separator: " ").prefix(2).joined(separator: " ")
            XCTAssertTrue(CommandHelp.usage(key).contains("[--python PATH]"), key)
            XCTAssertEqual(
                failure("\(form) --python"), "--python needs a value, e.g. --python /usr/bin/python3" + usage(key))
        }
    }

    func testAddOtherKindsErrors() {
        XCTAssertEqual(
            failure("add local -n"),
            "unknown option '-n' for add local; names cannot start with '-'" + usage("add local"))
        XCTAssertEqual(failure("add sudo a b c"), "too many arguments for add sudo" + usage("add sudo"))
        XCTAssertEqual(
            failure("add sudo 'a b'"),
            "'a b': names cannot contain spaces or control characters" + usage("add sudo"))
        XCTAssertEqual(failure("add docker"), "add docker needs a container name" + usage("add docker"))
        XCTAssertEqual(failure("add docker --image x"), "add docker needs a container name" + usage("add docker"))
        XCTAssertEqual(
            failure("add docker t1 --image"),
            "--image needs a value, e.g. --image python:3-slim" + usage("add docker"))
        XCTAssertEqual(
            failure("add docker t1 --pyton /p"),
            "unknown option '--pyton' for add docker; names cannot start with '-'" + usage("add docker"))
        XCTAssertEqual(failure("add container"), "add container needs a container name" + usage("add container"))
        XCTAssertEqual(
            failure("add container c*"),
            "'c*': names cannot contain '*' or '?'; globs select hosts already added"
                + usage("add container"))
    }

    // MARK: - Hosts and connections

    func testRemove() {
        XCTAssertEqual(command("remove web1 @failed web* db[1-3]"), .remove(["web1", "failed", "web*", "db[1-3]"]))
        XCTAssertEqual(failure("remove"), "remove needs at least one target" + usage("remove"))
        XCTAssertEqual(
            failure("remove @"),
            "'@' is not a target; name hosts such as web1, web[1-3], web* or failed" + usage("remove"))
    }

    func testHostsAndConnections() {
        XCTAssertEqual(command("hosts"), .hosts)
        XCTAssertEqual(failure("hosts web1"), "hosts takes no arguments" + usage("hosts"))
        XCTAssertEqual(command("connect"), .connect([]))
        XCTAssertEqual(command("connect web1 @db*"), .connect(["web1", "db*"]))
        XCTAssertEqual(command("disconnect web[1-4]"), .disconnect(["web[1-4]"]))
        XCTAssertEqual(
            command("disconnect --persist web1"), Parsed(DisconnectCommand(targets: ["web1"], persist: true)))
        XCTAssertEqual(
            failure("disconnect --persit"),
            "unknown option '--persit' for disconnect; names cannot start with '-'" + usage("disconnect"))
        XCTAssertEqual(command("set persist 300"), .set(key: "persist", value: "300"))
        XCTAssertEqual(command("reconnect @failed"), .reconnect(["failed"]))
        XCTAssertEqual(command("reconnect"), .reconnect([]))
    }

    func testUse() {
        XCTAssertEqual(command("use all"), .use("all"))
        XCTAssertEqual(command("use @all"), .use("all"))
        XCTAssertEqual(command("use web[1-3],db1"), .use("web[1-3],db1"))
        XCTAssertEqual(failure("use"), "use needs a target, e.g. use web[1-3] (use all for every host)" + usage("use"))
        XCTAssertEqual(
            failure("use web1 web2"),
            "use takes one target; join names with commas: use web1,web2" + usage("use"))
    }

    // MARK: - Operations

    func testFacts() {
        XCTAssertEqual(command("facts"), .facts([]))
        XCTAssertEqual(command("facts os memory"), .facts(["os", "memory"]))
    }

    func testPing() {
        XCTAssertEqual(command("ping"), .ping)
        XCTAssertEqual(failure("ping web1"), "ping takes no arguments" + usage("ping"))
    }

    func testPut() {
        XCTAssertEqual(command("put app.conf"), .put(local: "app.conf", remote: nil, mode: nil))
        XCTAssertEqual(command("put a /etc/a --mode 0755"), .put(local: "a", remote: "/etc/a", mode: 0o755))
        XCTAssertEqual(command("put --mode 600 a"), .put(local: "a", remote: nil, mode: 0o600))
        XCTAssertEqual(command("put a --mode=0o4750 b"), .put(local: "a", remote: "b", mode: 0o4750))
        XCTAssertEqual(command("put ./-odd b"), .put(local: "./-odd", remote: "b", mode: nil))
        XCTAssertEqual(failure("put"), "put needs a local file" + usage("put"))
        XCTAssertEqual(failure("put a b c"), "too many arguments for put" + usage("put"))
        XCTAssertEqual(
            failure("put -odd b"),
            "unknown option '-odd' for put; write ./-name for a file whose name starts with '-'"
                + usage("put"))
        XCTAssertEqual(failure("put a --mode"), "--mode needs a value, e.g. --mode 0755" + usage("put"))
        XCTAssertEqual(failure("put a --mode 1 --mode 2"), "--mode is given twice" + usage("put"))
        XCTAssertEqual(
            failure("put a --mode 999"),
            "mode must be octal, such as 0644 or 0755, not '999'" + usage("put"))
    }

    func testModeParsing() {
        XCTAssertEqual(PutCommand.parseMode("0755"), 0o755)
        XCTAssertEqual(PutCommand.parseMode("755"), 0o755)
        XCTAssertEqual(PutCommand.parseMode("0o755"), 0o755)
        XCTAssertEqual(PutCommand.parseMode("0O644"), 0o644)
        XCTAssertEqual(PutCommand.parseMode("0"), 0)
        XCTAssertEqual(PutCommand.parseMode("7777"), 0o7777)
        XCTAssertEqual(PutCommand.parseMode("00007777"), 0o7777)
        XCTAssertNil(PutCommand.parseMode("17777"))
        XCTAssertNil(PutCommand.parseMode("0o"))
        XCTAssertNil(PutCommand.parseMode(""))
        XCTAssertNil(PutCommand.parseMode("0x1ed"))
        XCTAssertNil(PutCommand.parseMode("-755"))
        XCTAssertNil(PutCommand.parseMode("rwx"))
        XCTAssertNil(PutCommand.parseMode("99999999999999999999999"))
    }

    func testFetch() {
        XCTAssertEqual(command("fetch /etc/hosts"), .fetch(remote: "/etc/hosts", localTemplate: nil))
        XCTAssertEqual(
            command("fetch /var/log/syslog 'logs/{host} syslog'"),
            .fetch(remote: "/var/log/syslog", localTemplate: "logs/{host} syslog"))
        XCTAssertEqual(failure("fetch"), "fetch needs a remote file" + usage("fetch"))
        XCTAssertEqual(failure("fetch a b c"), "too many arguments for fetch" + usage("fetch"))
        XCTAssertEqual(command("fetch -r a"), Parsed(FetchCommand(remote: "a", localTemplate: nil, recursive: true)))
        XCTAssertEqual(
            failure("fetch -x a"),
            "unknown option '-x' for fetch; write ./-name for a file whose name starts with '-'"
                + usage("fetch"))
    }

    // MARK: - call

    func testCallFunctionNames() {
        XCTAssertEqual(command("call os.getloadavg"), .call(function: "os.getloadavg", args: [], kwargs: [:]))
        XCTAssertEqual(command("call _private_fn"), .call(function: "_private_fn", args: [], kwargs: [:]))
        XCTAssertEqual(failure("call"), "call needs a function, e.g. call os.getloadavg" + usage("call"))
        for bad in ["os/getcwd", "1os", "os.", ".os", "os..path", "os-path"] {
            XCTAssertEqual(
                failure("call \(bad)"),
                "'\(bad)' is not a Python function name such as os.getcwd" + usage("call"))
        }
    }

    /// Arguments are kept as typed (after shell-style unquoting): the agent reads them exactly, so nothing here
    /// can lose range. `CallLiteralTests` checks what the agent makes of them.
    func testCallArgumentsAreKeptAsTyped() {
        XCTAssertEqual(
            callArguments("call f True None 10121071034790721094712093712037123 2.0 nan 0x1F"),
            ["True", "None", "10121071034790721094712093712037123", "2.0", "nan", "0x1F"])
        XCTAssertEqual(
            callArguments(#"call f hello /etc/hosts 'two words' "" "'5'" "b'raw'" '(1, 2)' '{"a": [true, null]}'"#),
            ["hello", "/etc/hosts", "two words", "", "'5'", "b'raw'", "(1, 2)", #"{"a": [true, null]}"#])
    }

    func testCallKeywordArguments() {
        XCTAssertEqual(
            command("call subprocess.run '[\"id\"]' capture_output=True timeout=2.5 cwd=/tmp input="),
            .call(
                function: "subprocess.run", args: [#"["id"]"#],
                kwargs: ["capture_output": "True", "timeout": "2.5", "cwd": "/tmp", "input": ""]))
        XCTAssertEqual(
            command("call f _k=\"{'a': None}\""), .call(function: "f", args: [], kwargs: ["_k": "{'a': None}"]))
        // Not identifiers before '=': positional strings.
        XCTAssertEqual(callArguments("call f x-y=1 --z=2 =5 1a=b"), ["x-y=1", "--z=2", "=5", "1a=b"])
        XCTAssertEqual(failure("call f a=1 2"), "positional argument '2' follows keyword arguments" + usage("call"))
        XCTAssertEqual(failure("call f a=1 a=2"), "keyword argument 'a' is given twice" + usage("call"))
    }

    // MARK: - Results and settings

    func testResultCommands() {
        XCTAssertEqual(command("last"), .last)
        XCTAssertEqual(failure("last 2"), "'2' is not a result; write %N, e.g. last %3" + usage("last"))
        XCTAssertEqual(command("failures"), .failures)
        XCTAssertEqual(failure("failures x"), "failures takes no arguments" + usage("failures"))
        XCTAssertEqual(command("show web03"), .show("web03"))
        XCTAssertEqual(failure("show"), "show needs a host" + usage("show"))
        XCTAssertEqual(failure("show a b"), "show takes one host, after an optional %N" + usage("show"))
        XCTAssertEqual(command("diff web03"), .diff("web03", nil))
        XCTAssertEqual(command("diff web03 web04"), .diff("web03", "web04"))
        XCTAssertEqual(failure("diff"), "diff needs a host, or two results" + usage("diff"))
        XCTAssertEqual(failure("diff a b c"), "diff takes one or two hosts" + usage("diff"))
    }

    func testSet() {
        XCTAssertEqual(command("set"), .set(key: nil, value: nil))
        XCTAssertEqual(command("set timeout"), .set(key: "timeout", value: nil))
        XCTAssertEqual(command("set timeout 5"), .set(key: "timeout", value: "5"))
        XCTAssertEqual(command("set timeout 2.5"), .set(key: "timeout", value: "2.5"))
        XCTAssertEqual(command("set timeout none"), .set(key: "timeout", value: "none"))
        XCTAssertEqual(command("set timeout 0"), .set(key: "timeout", value: "0"))
        XCTAssertEqual(command("set fanout 10"), .set(key: "fanout", value: "10"))
        XCTAssertEqual(command("set connect-timeout 600"), .set(key: "connect-timeout", value: "600"))
        XCTAssertEqual(command("set output json"), .set(key: "output", value: "json"))
        XCTAssertEqual(command("set gather off"), .set(key: "gather", value: "off"))
        XCTAssertEqual(command("set color auto"), .set(key: "color", value: "auto"))
        XCTAssertEqual(command("set errexit on"), .set(key: "errexit", value: "on"))
        XCTAssertEqual(command("set python /usr/bin/python3"), .set(key: "python", value: "/usr/bin/python3"))
        XCTAssertEqual(command("set python auto"), .set(key: "python", value: "auto"))
        XCTAssertEqual(command("set docker-image python:3-slim"), .set(key: "docker-image", value: "python:3-slim"))
    }

    func testSetErrors() {
        let keys =
            "timeout, fanout, output, gather, max-lines, history-results, keep-bytes, spill-max, pager, color, python, "
            + "docker-image, sudo, sudo-tool, save-dir, errexit, "
            + "connect-timeout, persist, inline-first, batch, max-fail, dry-run"
        XCTAssertEqual(failure("set colour on"), "unknown setting 'colour' — did you mean 'color'? Settings: " + keys)
        XCTAssertEqual(failure("set foo 1"), "unknown setting 'foo' — settings: " + keys)
        XCTAssertEqual(
            failure("set output json x"),
            "too many arguments for set; quote a value that has spaces" + usage("set"))
        XCTAssertEqual(failure("set output xml"), "output must be auto, table, blocks, lines or json, not 'xml'")
        XCTAssertEqual(failure("set gather yes"), "gather must be exact, similar or off, not 'yes'")
        XCTAssertEqual(failure("set errexit 1"), "errexit must be on or off, not '1'")
        XCTAssertEqual(failure("set color always"), "color must be auto, on or off, not 'always'")
        for bad in ["-1", "abc", "1e3", "inf", ""] {
            XCTAssertEqual(
                failure("set timeout '\(bad)'"),
                "timeout must be a number of seconds such as 30 or 2.5, or none, not '\(bad)'")
        }
        for bad in ["0", "601", "1.5", "x"] {
            XCTAssertEqual(
                failure("set connect-timeout \(bad)"),
                "connect-timeout must be whole seconds from 1 to 600, not '\(bad)'")
        }
        for bad in ["0", "10001", "-2", "two"] {
            XCTAssertEqual(
                failure("set fanout \(bad)"),
                "fanout must be a number of hosts from 1 to 10000, not '\(bad)'")
        }
        XCTAssertEqual(
            failure("set python '/opt/my python'"),
            "python must be one word such as /usr/bin/python3, not '/opt/my python'")
        XCTAssertEqual(failure("set docker-image -x"), "docker-image must be one word such as python:3-slim, not '-x'")
    }

    func testSettingTablesForCompletion() {
        XCTAssertEqual(
            Setting.keys,
            [
                "timeout", "fanout", "output", "gather", "max-lines", "history-results", "keep-bytes", "spill-max",
                "pager",
                "color",
                "python",
                "docker-image", "sudo", "sudo-tool", "save-dir", "errexit", "connect-timeout", "persist",
                "inline-first",
                "batch",
                "max-fail",
                "dry-run",
            ])
        XCTAssertEqual((Setting.named("output")?.choices ?? []), ["auto", "table", "blocks", "lines", "json"])
        XCTAssertEqual((Setting.named("gather")?.choices ?? []), ["exact", "similar", "off"])
        XCTAssertEqual((Setting.named("errexit")?.choices ?? []), ["on", "off"])
        XCTAssertEqual((Setting.named("color")?.choices ?? []), ["auto", "on", "off"])
        for key in ["timeout", "fanout", "python", "docker-image", "connect-timeout", "nonsense"] {
            XCTAssertEqual((Setting.named(key)?.choices ?? []), [])
        }
        for key in Setting.keys {
            for value in (Setting.named(key)?.choices ?? []) {
                XCTAssertEqual(command("set \(key) \(value)"), .set(key: key, value: value))
            }
        }
        XCTAssertEqual(
            AddCommand.declaration.subcommands.map { $0.declaration.subcommandWord },
            ["local", "sudo", "docker", "container"])
    }

    // MARK: - Scripts, help, quit

    func testSourceAndRecord() {
        XCTAssertEqual(command("source deploy.chop"), .source("deploy.chop"))
        XCTAssertEqual(failure("source"), "source needs a file" + usage("source"))
        XCTAssertEqual(failure("source a b"), "source takes one file" + usage("source"))
        XCTAssertEqual(command("record session.chop"), .record("session.chop"))
        XCTAssertEqual(command("record off"), .record(nil))
        XCTAssertEqual(command("record ./off"), .record("./off"))
        XCTAssertEqual(failure("record"), "record needs a file, or off to stop" + usage("record"))
        XCTAssertEqual(failure("record a b"), "record takes one file" + usage("record"))
    }

    func testExpect() {
        XCTAssertEqual(command("expect ok"), .expect(.ok))
        XCTAssertEqual(command("expect failed web[3-4] db1,db2"), .expect(.failed(["web[3-4]", "db1,db2"])))
        XCTAssertEqual(command("expect failed @db"), .expect(.failed(["@db"])))
        XCTAssertEqual(failure("expect"), "expect needs ok or failed" + usage("expect"))
        XCTAssertEqual(failure("expect ok web1"), "expect ok takes nothing more" + usage("expect"))
        XCTAssertEqual(failure("expect failed"), "expect failed needs the hosts that failed" + usage("expect"))
        XCTAssertEqual(failure("expect maybe"), "expect needs ok or failed, not 'maybe'" + usage("expect"))
    }

    func testHelpCommand() {
        XCTAssertEqual(command("help"), .help(nil))
        XCTAssertEqual(command("help put"), .help("put"))
        XCTAssertEqual(command("help targets"), .help("targets"))
        XCTAssertEqual(command("help keys"), .help("keys"))
        XCTAssertEqual(command("help @"), .help("@"))
        XCTAssertEqual(command("help !"), .help("!"))
        XCTAssertEqual(command("help exit"), .help("exit"))
        XCTAssertEqual(failure("help rn"), "no help for 'rn' — did you mean 'help run'?")
        XCTAssertEqual(failure("help targts"), "no help for 'targts' — did you mean 'help targets'?")
        XCTAssertEqual(failure("help zzz"), "no help for 'zzz' — try help, help targets or help keys")
        XCTAssertEqual(failure("help a b"), "help takes one topic" + usage("help"))
    }

    func testQuit() {
        XCTAssertEqual(command("quit"), .quit)
        XCTAssertEqual(command("exit"), .quit)
        XCTAssertEqual(failure("quit now"), "quit takes no arguments" + usage("quit"))
        XCTAssertEqual(failure("exit 1"), "exit takes no arguments — usage: quit | exit")
    }

    func testEveryCommandNameParses() throws {
        let minimal: [String: String] = [
            "add": "add h", "remove": "remove h", "run": "run x", "call": "call f", "py": "py x", "put": "put f",
            "fetch": "fetch f", "use": "use h", "show": "show h", "diff": "diff h", "source": "source f",
            "record": "record f", "expect": "expect ok", "watch": "watch run x", "import": "import m",
            "name": "name n h", "where": "where x", "script": "script f", "save": "save d",
            "sync": "sync a b",
        ]
        for name in CommandRegistry.commandNames {
            XCTAssertNotNil(try line(minimal[name] ?? name), name)
        }
    }

    // MARK: - Help texts

    func testUsageLines() {
        XCTAssertEqual(CommandHelp.usage("put"), "put LOCAL [REMOTE] [--mode MODE] [--recursive]")
        XCTAssertEqual(
            CommandHelp.usage("add"),
            "add HOST|@GROUP... [--via JUMP] [--gateway GW] [--forward-agent] [--python PATH] [--sudo [USER]]")
        XCTAssertEqual(CommandHelp.usage("add local"), "add local [NAME...] [--python PATH] [--gateway GW]")
        XCTAssertEqual(CommandHelp.usage("add sudo"), "add sudo [USER] [NAME] [--python PATH]")
        XCTAssertEqual(CommandHelp.usage("add docker"), "add docker NAME... [--image IMAGE] [--python PATH]")
        XCTAssertEqual(CommandHelp.usage("add container"), "add container NAME... [--python PATH]")
        XCTAssertEqual(CommandHelp.usage("call"), "call FUNCTION [ARG...] [KEY=VALUE...]")
        XCTAssertEqual(CommandHelp.usage("expect"), "expect ok | expect failed HOST...")
        XCTAssertEqual(CommandHelp.usage("exit"), "quit | exit")
        XCTAssertEqual(CommandHelp.usage("!"), "!COMMAND")
        XCTAssertEqual(CommandHelp.usage("nonsense"), "nonsense")
        for name in CommandRegistry.commandNames {
            XCTAssertTrue(CommandHelp.usage(name).hasPrefix(name == "exit" ? "quit" : name), name)
        }
    }

    func testSummaryListsEveryCommandOnOneLine() {
        let summary = CommandHelp.summary()
        let lines = summary.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for key in CommandRegistry.commandNames.filter({ $0 != "exit" })
            + AddCommand.declaration.subcommands.map({ $0.declaration.name })
            + ["!"]
        {
            let usage = CommandHelp.usage(key)
            // A usage too long for the column stands on its own line, its summary below it.
            XCTAssertEqual(lines.filter { $0.hasPrefix("  " + usage + "  ") || $0 == "  " + usage }.count, 1, key)
        }
        XCTAssertTrue(summary.contains("@TARGET"))
        XCTAssertTrue(summary.contains("Ctrl-C"))
        XCTAssertTrue(summary.contains("Ctrl-D"))
        XCTAssertTrue(summary.contains("Tab"))
    }

    func testEveryCommandHasHelp() throws {
        for name in CommandRegistry.commandNames + ["!", "targets", "keys", "@"] {
            let text = try XCTUnwrap(CommandHelp.help(for: name), name)
            XCTAssertFalse(text.isEmpty, name)
        }
        XCTAssertNil(CommandHelp.help(for: "nonsense"))
        XCTAssertEqual(CommandHelp.help(for: "exit"), CommandHelp.help(for: "quit"))
        XCTAssertEqual(CommandHelp.help(for: "@"), CommandHelp.help(for: "targets"))

        let put = try XCTUnwrap(CommandHelp.help(for: "put"))
        XCTAssertTrue(
            put.hasPrefix("usage: put LOCAL [REMOTE] [--mode MODE] [--recursive]\n\nCopy a local file to each host.\n"))
        XCTAssertTrue(put.contains("\nExamples:\n  put app.conf /etc/app/app.conf\n"))

        let add = try XCTUnwrap(CommandHelp.help(for: "add"))
        for kind in ["", " local", " sudo", " docker", " container"] {
            XCTAssertTrue(add.contains("  " + CommandHelp.usage("add" + kind)), kind)
        }
    }

    func testHelpCoversSettingsTargetsAndKeys() throws {
        let set = try XCTUnwrap(CommandHelp.help(for: "set"))
        for key in Setting.keys {
            XCTAssertTrue(set.contains("  \(key) "), key)
            let values = (Setting.named(key)?.choices ?? [])
            if !values.isEmpty {
                XCTAssertTrue(set.contains("  \(key) " + values.joined(separator: "|") + " "), key)
            }
        }
        let targets = try XCTUnwrap(CommandHelp.help(for: "targets"))
        for form in ["web1,db2", "web[01-12]", "web*", "@ok", "@failed", "@all", "use TARGET"] {
            XCTAssertTrue(targets.contains(form), form)
        }
        let keys = try XCTUnwrap(CommandHelp.help(for: "keys"))
        for key in ["Tab", "Ctrl-C", "Ctrl-D"] {
            XCTAssertTrue(keys.contains(key), key)
        }
    }

    func testHelpTextsFitInOneHundredColumns() {
        var texts = [CommandHelp.summary()]
        texts += (CommandRegistry.commandNames + ["!", "targets", "keys"]).compactMap { CommandHelp.help(for: $0) }
        for text in texts {
            for line in text.split(separator: "\n") {
                XCTAssertLessThanOrEqual(TerminalText.displayWidth(String(line)), 100, String(line))
                XCTAssertFalse(line.hasSuffix(" "), String(line))
            }
        }
    }

    func testLogTakesOptionalTargets() throws {
        XCTAssertEqual(try line("log")?.command, .log([]))
        XCTAssertEqual(try line("log web1 @failed")?.command, .log(["web1", "failed"]))
    }
}

/// A parsed command as tests compare it: equal when the command types and values are equal. The static
/// shorthands let expectations read like the commands they describe: `.run("uptime")`.
struct Parsed: Equatable, CustomStringConvertible {
    let command: any ChopCommand

    init(_ command: any ChopCommand) { self.command = command }

    static func == (lhs: Parsed, rhs: Parsed) -> Bool {
        func same<T: Equatable>(_ value: T, _ other: any ChopCommand) -> Bool { (other as? T) == value }
        guard let value = lhs.command as? any Equatable else { return false }
        return same(value, rhs.command)
    }

    var description: String { String(describing: command) }

    static func add(hosts: [String], python: String?) -> Parsed { Parsed(AddCommand(hosts: hosts, python: python)) }
    static func addLocal(names: [String], python: String?) -> Parsed {
        Parsed(AddLocalCommand(names: names, python: python))
    }
    static func addSudo(user: String?, name: String?, python: String?) -> Parsed {
        Parsed(AddSudoCommand(user: user, name: name, python: python))
    }
    static func addDocker(names: [String], image: String?, python: String?) -> Parsed {
        Parsed(AddDockerCommand(names: names, image: image, python: python))
    }
    static func addContainer(names: [String], python: String?) -> Parsed {
        Parsed(AddContainerCommand(names: names, python: python))
    }
    static func remove(_ targets: [String]) -> Parsed { Parsed(RemoveCommand(targets: targets)) }
    static var hosts: Parsed { Parsed(HostsCommand()) }
    static func connect(_ targets: [String]) -> Parsed { Parsed(ConnectCommand(targets: targets)) }
    static func disconnect(_ targets: [String]) -> Parsed { Parsed(DisconnectCommand(targets: targets)) }
    static func reconnect(_ targets: [String]) -> Parsed { Parsed(ReconnectCommand(targets: targets)) }
    static func run(_ command: String) -> Parsed { Parsed(RunCommand(text: command)) }
    static func call(function: String, args: [String], kwargs: [String: String]) -> Parsed {
        Parsed(CallCommand(function: function, args: args, kwargs: kwargs))
    }
    static func py(_ code: String) -> Parsed { Parsed(PyCommand(text: code)) }
    static func facts(_ names: [String]) -> Parsed { Parsed(FactsCommand(names: names)) }
    static func put(local: String, remote: String?, mode: Int?) -> Parsed {
        Parsed(PutCommand(local: local, remote: remote, mode: mode))
    }
    static func fetch(remote: String, localTemplate: String?) -> Parsed {
        Parsed(FetchCommand(remote: remote, localTemplate: localTemplate))
    }
    static var ping: Parsed { Parsed(PingCommand()) }
    static func use(_ target: String) -> Parsed { Parsed(UseCommand(target: target)) }
    static var last: Parsed { Parsed(LastCommand(result: nil)) }
    static var failures: Parsed { Parsed(FailuresCommand()) }
    static func log(_ targets: [String]) -> Parsed { Parsed(LogCommand(targets: targets)) }
    static func show(_ host: String) -> Parsed { Parsed(ShowCommand(result: nil, host: host)) }
    static func diff(_ host: String, _ other: String?) -> Parsed {
        Parsed(DiffCommand(comparison: .hosts(result: nil, host: host, other: other)))
    }
    static func set(key: String?, value: String?) -> Parsed { Parsed(SetCommand(key: key, value: value)) }
    static func local(_ command: String) -> Parsed { Parsed(LocalShellCommand(text: command)) }
    static func source(_ path: String) -> Parsed { Parsed(SourceCommand(word: path)) }
    static func record(_ path: String?) -> Parsed { Parsed(RecordCommand(path: path)) }
    static func expect(_ condition: ExpectCommand.Condition) -> Parsed { Parsed(ExpectCommand(condition: condition)) }
    static func help(_ topic: String?) -> Parsed { Parsed(HelpCommand(topic: topic)) }
    static var quit: Parsed { Parsed(QuitCommand()) }
}

extension CommandParserTests {
    func testTrustPasswordAndAddSudoForms() throws {
        func parsed(_ text: String) throws -> Parsed { Parsed(try XCTUnwrap(CommandParser.parse(text)).command) }
        XCTAssertEqual(try parsed("trust"), Parsed(TrustCommand()))
        XCTAssertEqual(try parsed("trust web[1-3] --yes"), Parsed(TrustCommand(target: "web[1-3]", yes: true)))
        XCTAssertEqual(
            try parsed("trust @db1 --fingerprint SHA256:abc --fingerprint SHA256:def"),
            Parsed(TrustCommand(target: "db1", fingerprints: ["SHA256:abc", "SHA256:def"])))
        XCTAssertEqual(try parsed("trust --replace web2 -y"), Parsed(TrustCommand(yes: true, replace: "web2")))
        XCTAssertEqual(try parsed("password @web*"), Parsed(PasswordCommand(target: "web*")))
        XCTAssertEqual(try parsed("add web1 web2 --sudo"), Parsed(AddCommand(hosts: ["web1", "web2"], sudo: "root")))
        XCTAssertEqual(try parsed("add db1 --sudo postgres"), Parsed(AddCommand(hosts: ["db1"], sudo: "postgres")))
        XCTAssertEqual(
            try parsed("add db1 --sudo=postgres --python /usr/bin/python3"),
            Parsed(AddCommand(hosts: ["db1"], python: "/usr/bin/python3", sudo: "postgres")))
        XCTAssertEqual(
            try parsed("add node[1-50] @web --via bastion,inner --sudo"),
            Parsed(AddCommand(hosts: ["node[1-50]", "@web"], sudo: "root", via: ["bastion", "inner"])))
        XCTAssertEqual(try parsed("inventory a.ini b.yml"), Parsed(InventoryCommand(files: ["a.ini", "b.yml"])))
        XCTAssertEqual(try parsed("inventory"), Parsed(InventoryCommand(files: [])))
        for bad in [
            "trust --fingerprint md5:00", "trust --replace", "trust a b", "trust --replace a b", "@x trust --replace a",
            "trust --frobnicate", "add db1 --sudo a --sudo b", "add --sudo", "add db1 --sudo=", "password a b",
            "add db1 --sudo -bad", "inventory --x", "@web inventory a.ini",
        ] {
            XCTAssertThrowsError(try CommandParser.parse(bad), bad) { error in
                XCTAssertFalse("\(error)".contains("\n"), "\(bad): \(error)")
            }
        }
    }
}
