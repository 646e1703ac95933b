import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// Values reach the user exactly as Python has them: integers of any size, floats that stay floats, NaN and
/// the infinities, nested data and odd strings; in the table, in `show` and in `--json`. Checked against the
/// local `python3` on real Local members.
final class ExactValuesTests: XCTestCase {
    /// Python expressions whose values chop must carry exactly (the issue's list).
    static let expressions = [
        "0", "-1", "2**63-1", "2**63", "2**70", "-(2**100)", "2.0", "1e300", "5e-324", "float('nan')",
        "float('inf')", "-float('inf')", "-0.0", "0.1", "1e16", "123456789.125",
        "[2**70, 2.0, [float('nan'), {'k': -(2**100)}], {'x': 1e300}]", "{'a': [0, -1, 5e-324], 'b': {'c': 2**63}}",
        "'h\\u00e9llo \\u65e5\\u672c'", "'tab\\tbell\\x07esc\\x1b[31m nul\\x00 del\\x7f c1\\x9b'", "'\\u2028\\u202e'",
    ]

    private func session(output: String = "table") async throws -> (Session, RecordingIO) {
        let recording = RecordingIO()
        var settings = ShellSettings()
        settings.output = output == "json" ? .json : .table
        let session = Session(settings: settings, io: recording.io)
        let added = await session.execute("add local a")
        XCTAssertEqual(added, .ok, recording.takeErr().joined(separator: "\n"))
        return (session, recording)
    }

    /// What chop shows (`show`) and returns (`--json`) for each expression, compared by Python itself with
    /// `repr` and `json`: a wrong digit, a lost `.0` or a refused NaN fails here.
    func testCallResultsMatchPythonReprAndJSON() async throws {
        let (session, recording) = try await session()
        var cases: [JSONValue] = []
        for expression in Self.expressions {
            let line = "call builtins.eval \(shellQuote(pythonString(expression)))"
            await session.execute("set output table")
            let status = await session.execute(line)
            XCTAssertEqual(status, .ok, "\(line): \(recording.takeOut())")
            _ = recording.takeOut()
            await session.execute("show a")
            let shown = recording.takeOut()
            await session.execute("set output json")
            await session.execute("last")
            let report = try XCTUnwrap(recording.takeOut().last)
            cases.append([
                "expression": .string(expression), "shown": .string(shown.dropFirst().joined(separator: "\n")),
                "json": .string(report),
            ])
        }
        await session.close()
        let folder = try temporaryFolder(self)
        let input = "\(folder)/cases.json"
        try JSONValue.array(cases).jsonText.write(toFile: input, atomically: true, encoding: .utf8)
        let checker = "\(folder)/check.py"
        try Self.checker.write(toFile: checker, atomically: true, encoding: .utf8)
        let result = try Command.run(["python3", checker, input])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("checked \(Self.expressions.count) values"), result.output)
    }

    /// Python code that compares chop's answers with Python's own, independently of chop's JSON code.
    static let checker = #"""
        import json, math, sys

        def norm(v):
            if isinstance(v, tuple): v = list(v)
            if isinstance(v, list): return [norm(x) for x in v]
            if isinstance(v, dict): return {k: norm(x) for k, x in v.items()}
            return v

        def unstring(v):   # chop's --json writes non-finite floats as these strings
            if isinstance(v, list): return [unstring(x) for x in v]
            if isinstance(v, dict): return {k: unstring(x) for k, x in v.items()}
            if v in ('NaN', 'Infinity', '-Infinity'): return float(v)
            return v

        def same(a, b):
            if isinstance(a, float) and isinstance(b, float):
                return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
            if type(a) is not type(b): return False
            if isinstance(a, list): return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
            if isinstance(a, dict): return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
            return a == b

        bad = []
        cases = json.load(open(sys.argv[1]))
        for case in cases:
            want = norm(eval(case['expression']))
            report = json.loads(case['json'])
            got = unstring(report['hosts'][0]['value'])
            if not same(got, want):
                bad.append(f"{case['expression']}: --json value {got!r}, Python {want!r}")
            if isinstance(want, (int, float)) and not isinstance(want, bool):
                if case['shown'] != repr(want):
                    bad.append(f"{case['expression']}: shown {case['shown']!r}, Python repr {repr(want)!r}")
            if '"value":' + json.dumps(want, separators=(',', ':')) not in case['json'] and isinstance(want, int):
                bad.append(f"{case['expression']}: the digits {want} are not in the --json text")
        print('\n'.join(bad) if bad else f'checked {len(cases)} values')
        sys.exit(1 if bad else 0)
        """#

    /// Integers beyond 64 bits, bytes and tuples reach the host exactly as typed.
    func testCallArgumentsAreReadExactlyOnTheHost() async throws {
        let (session, recording) = try await session(output: "json")
        let checks: [(String, JSONValue)] = [
            ("call builtins.str 10121071034790721094712093712037123", "10121071034790721094712093712037123"),
            ("call builtins.pow 2 70", JSONValue.integer("1180591620717411303424")!),
            ("call builtins.repr \"b'\\x00raw'\"", "b'\\x00raw'"),
            ("call builtins.repr '(1, 2)'", "(1, 2)"),
            ("call builtins.repr '[1, null, true]'", "[1, None, True]"),
            ("call builtins.repr 2.0", "2.0"),
            ("call builtins.repr /etc/hosts", "'/etc/hosts'"),
            ("call builtins.repr \"'5'\"", "'5'"),
            ("call builtins.float nan", .double(.nan)),
            ("call builtins.int \"'0x1F'\" base=0", 31),
            ("call builtins.max '[3, 1]' key=None", 3),
        ]
        for (line, expected) in checks {
            await session.execute(line)
            let text = try XCTUnwrap(recording.takeOut().last, line)
            let report = try JSONValue.parse(Array(text.utf8))
            let value = report["hosts"]?.arrayValue?.first?["value"]
            XCTAssertEqual(value?.jsonText, expected.jsonText, line)
            XCTAssertEqual(report["command"], .string(line))
        }
        // A broken literal is a clear error for the host, naming the argument and how to pass a string.
        await session.execute("call builtins.repr '[1, 2'")
        let text = try XCTUnwrap(recording.takeOut().last)
        XCTAssertTrue(text.contains(#"cannot read argument '[1, 2' as a Python literal"#), text)
        XCTAssertTrue(text.contains("quote it"), text)
        await session.close()
    }

    /// An exception raised inside a C function still reads as Python's own traceback.
    func testTracebackOfACFunctionHasItsHeader() async throws {
        let (session, recording) = try await session()
        let status = await session.execute("call operator.truediv 1 0")
        XCTAssertEqual(status, .hostsFailed)
        _ = recording.takeOut()
        await session.execute("show a")
        let shown = recording.takeOut().joined(separator: "\n")
        XCTAssertTrue(shown.contains("Traceback (most recent call last):\nZeroDivisionError: division by zero"), shown)
        // Python-level frames are still there for Python code.
        await session.execute("py import json; json.loads('{')")
        _ = recording.takeOut()
        await session.execute("show a")
        let python = recording.takeOut().joined(separator: "\n")
        XCTAssertTrue(python.contains("Traceback (most recent call last):"), python)
        XCTAssertTrue(python.contains("json/decoder.py"), python)
        await session.close()
    }

    /// A fetch says which remote file it read (absolute), in the table, `show` and `--json`; help and code agree on
    /// where files go without LOCAL.
    func testFetchReportsItsAbsoluteSource() async throws {
        let folder = try temporaryFolder(self)
        let source = "\(folder)/remote file.txt"
        try "payload\n".write(toFile: source, atomically: true, encoding: .utf8)
        let (session, recording) = try await session(output: "json")
        let relative = "\(folder)/./sub/../remote file.txt"
        try FileManager.default.createDirectory(atPath: "\(folder)/sub", withIntermediateDirectories: true)
        await session.execute("fetch \(shellQuote(relative)) \(shellQuote(folder + "/got-{host}"))")
        let report = try JSONValue.parse(Array(try XCTUnwrap(recording.takeOut().last).utf8))
        let value = try XCTUnwrap(report["hosts"]?.arrayValue?.first?["value"])
        XCTAssertEqual(value["remote_path"], .string(source))
        XCTAssertEqual(value["local_path"], .string("\(folder)/got-a"))
        XCTAssertEqual(value["size"], 8)
        await session.execute("set output table")
        await session.execute("show a")
        let shown = recording.takeOut().joined(separator: "\n")
        XCTAssertTrue(shown.contains("\(source) → \(folder)/got-a 8 bytes"), shown)
        let help = try XCTUnwrap(CommandHelp.help(for: "fetch"))
        XCTAssertTrue(help.contains("./fetched/{host}/NAME"), help)
        XCTAssertFalse(help.contains("temporary"), help)
        await session.close()
    }

    /// "N host(s)" agrees in number everywhere, `diff`'s header included.
    func testCountsAgreeInNumber() async throws {
        let (session, recording) = try await session()
        await session.execute("add local b")
        await session.execute("run echo same")
        _ = recording.takeOut()
        await session.execute("diff a")
        XCTAssertEqual(recording.takeOut(), ["no differences between a and most common output (1 host)"])
        XCTAssertEqual(counted(1, "host"), "1 host")
        XCTAssertEqual(counted(0, "host"), "0 hosts")
        XCTAssertEqual(counted(2, "member"), "2 members")
        await session.close()
    }

    /// The member chop starts with leaves as soon as the user adds another; an explicit `add local` keeps it.
    func testImplicitLocalLeavesWhenAMemberIsAdded() async throws {
        let recording = RecordingIO()
        let session = Session(io: recording.io)
        await session.addImplicitLocal()
        let start = await session.memberNames
        XCTAssertEqual(start, ["local"])
        await session.execute("add local n1")
        let after = await session.memberNames
        XCTAssertEqual(after, ["n1"])
        XCTAssertEqual(
            recording.takeErr(), ["local (this machine) left the group; add local to keep it", "added 1 member: n1"])
        await session.close()

        let keeping = Session(io: recording.io)
        await keeping.addImplicitLocal()
        await keeping.execute("add local")
        await keeping.execute("add local n1")
        let kept = await keeping.memberNames
        XCTAssertEqual(kept, ["local", "n1"])
        XCTAssertFalse(recording.takeErr().contains { $0.contains("left the group") })
        await keeping.close()
    }

    /// `add local --python` starts that interpreter, as `help add` promises.
    func testAddLocalTakesPython() async throws {
        let python = try XCTUnwrap(Command.run(["python3", "-c", "import sys; print(sys.executable)"]).output)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let recording = RecordingIO()
        var settings = ShellSettings()
        settings.output = .json
        let session = Session(settings: settings, io: recording.io)
        let added = await session.execute("add local p --python \(shellQuote(python))")
        XCTAssertEqual(added, .ok)
        await session.execute("py import sys; sys.executable")
        let report = try JSONValue.parse(Array(try XCTUnwrap(recording.takeOut().last).utf8))
        XCTAssertEqual(report["hosts"]?.arrayValue?.first?["value"], .string(python))
        await session.close()
    }

    private func pythonString(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }
}
