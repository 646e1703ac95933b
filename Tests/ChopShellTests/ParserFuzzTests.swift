import ChopShell
import Foundation
import TestSupport
import XCTest

/// Seeded fuzzing of everything that reads what a user types: the splitter, the command parser, the node-set
/// expander, the target resolver and `call`'s argument reader. Each gets at least 100,000 lines, random or
/// mutated from the help examples; each must return or throw its own error type with a one-line message, never
/// crash, hang or take all memory. A failure prints its seed: `CHOP_FUZZ_SEED=<seed>` replays that case.
final class ParserFuzzTests: XCTestCase {
    private static let cases = 100_000

    /// Every help example of every command, and lines that lean on targets and patterns.
    private static let corpus: [String] =
        CommandRegistry.allDeclared.flatMap { $0.declaration.examples } + [
            "@web[1-3],db1 run uptime", "@%2.failed call os.getpid", "add root@web[01-12]:2222 db[1,3,5-7]/2",
            "run echo 'a b' \"c\\\"d\" e\\ f", "call builtins.pow 2 70 mod=7", "put ./a 'b c' --mode 0640",
            "use web*", "remove @failed", "py import os; os.getpid()", "! ls -l | wc -l", "set timeout 5",
            "show %3 web1", "diff %1 %2", "watch --count 3 2 run date", "expect failed web1 web2",
        ]

    private static let mutator = LineMutator(corpus: corpus)

    /// Node-set patterns and targets, valid ones first.
    private static let patterns = LineMutator(corpus: [
        "web[1-3]", "web[01-12].example.com", "db[1,3,5-7]", "r[1-2]n[1-2]", "x[0-100/7]", "a,b,web[1-3]",
        "@web*", "@failed", "@%2.ok", "@all", "web1,db2", "web?", "x[098-101]", "@ok,@outliers", "local",
    ])

    /// What is wrong with an error's message: one that cannot be printed as one line (empty, or with control
    /// characters such as a newline); nil when it is fine. Callers pass `error.message` from a `catch` of a
    /// typed `throws(…)`: the compiler, not this test, proves each reader throws only its own error type
    /// (the parser only `ParseError`, as the README promises).
    private static func problem(_ message: String) -> String? {
        if message.isEmpty { return "empty error message" }
        if message.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) {
            return "error message is not one plain line: \(message.debugDescription)"
        }
        return nil
    }

    /// An ASCII Python identifier, checked here by hand (not by the code under test).
    private static func isIdentifier(_ text: some StringProtocol) -> Bool {
        guard let first = text.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || byte == UInt8(ascii: "_")
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }

    func testSplitterReturnsWordsOrASplitError() {
        Fuzz.run("splitter", base: 0x5EED_0001, cases: Self.cases) { generator in
            let line = Self.mutator.line(&generator)
            do throws(SplitError) {
                let words = try CommandLineSplitter.words(line)
                if words.contains(where: \.isEmpty) && !line.contains("''") && !line.contains("\"\"") {
                    return "an empty word from \(line.debugDescription) with no empty quotes"
                }
                let commands = try CommandLineSplitter.numberedCommands(
                    line, semicolons: Bool.random(using: &generator))
                if let bad = commands.first(where: { $0.text.isEmpty || $0.line < 1 }) {
                    return "command \(bad) from \(line.debugDescription)"
                }
            } catch {
                return Self.problem(error.message).map { "\($0) for \(line.debugDescription)" }
            }
            return nil
        }
    }

    func testParserReturnsACommandOrAParseError() {
        Fuzz.run("parser", base: 0x5EED_0002, cases: Self.cases) { generator in
            let line = Self.mutator.line(&generator)
            do throws(ParseError) {
                _ = try CommandParser.parse(line)
            } catch {
                return Self.problem(error.message).map { "\($0) for \(line.debugDescription)" }
            }
            return nil
        }
    }

    func testNodeSetExpandsWithinTheLimitOrThrows() {
        Fuzz.run("node set", base: 0x5EED_0003, cases: Self.cases) { generator in
            let pattern = Self.patterns.line(&generator)
            do throws(NodeSetError) {
                let names = try NodeSet.expand(pattern)
                if names.count > NodeSet.maximumNames { return "\(names.count) names from \(pattern.debugDescription)" }
                if Set(names).count != names.count { return "duplicate names from \(pattern.debugDescription)" }
            } catch {
                return Self.problem(error.message).map { "\($0) for \(pattern.debugDescription)" }
            }
            return nil
        }
    }

    func testTargetResolverPicksMembersOrThrows() {
        let members = (1...20).map { "web\($0)" } + ["db1", "db2", "db3", "local"]
        let resolver = TargetResolver(members: members, sets: ["ok": ["web1", "db1"], "failed": ["web2"]])
        Fuzz.run("target resolver", base: 0x5EED_0004, cases: Self.cases) { generator in
            let target = Self.patterns.line(&generator)
            do throws(ShellError) {
                let chosen = try resolver.resolve(target)
                if chosen.isEmpty { return "no member, and no error, for \(target.debugDescription)" }
                if let stranger = chosen.first(where: { !members.contains($0) }) {
                    return "\(stranger) is no member, from \(target.debugDescription)"
                }
            } catch {
                return Self.problem(error.message).map { "\($0) for \(target.debugDescription)" }
            }
            return nil
        }
    }

    /// `call`'s arguments as chop reads them (the host reads each as a Python literal: the agent suite fuzzes
    /// that side): the function is a dotted name and every keyword a Python name.
    func testCallArgumentsParseIntoWordsOrAParseError() {
        let literals = LineMutator(corpus: [
            "call builtins.pow 2 70", "call builtins.float 2", "call shutil.disk_usage /var",
            "call subprocess.check_output '[\"id\", \"-u\"]' text=True", "call f b'raw' '(1, 2)' \"{'a': 1}\" k=None",
            "call os.path.join a 'b c' x=1e999 y=-0x10 z=[1,[2,[3]]]",
        ])
        Fuzz.run("call arguments", base: 0x5EED_0005, cases: Self.cases) { generator in
            let line = literals.line(&generator)
            do throws(ParseError) {
                guard let parsed = try CommandParser.parse(line), let call = parsed.command as? CallCommand else {
                    return nil  // another command, or a comment: the parser fuzz covers those
                }
                if let key = call.kwargs.keys.first(where: { !Self.isIdentifier($0) }) {
                    return "keyword \(key.debugDescription) is no Python name, from \(line.debugDescription)"
                }
                if call.function.split(separator: ".", omittingEmptySubsequences: false).contains(where: {
                    !Self.isIdentifier($0)
                }) {
                    return "function \(call.function.debugDescription) is no dotted name, from \(line.debugDescription)"
                }
            } catch {
                return Self.problem(error.message).map { "\($0) for \(line.debugDescription)" }
            }
            return nil
        }
    }

    func testHugeRangeIsRefusedByTheLimitNotByMemory() throws {
        let started = ContinuousClock.now
        for pattern in ["web[1-99999999]", "web[1-99999999]x[1-99999999]", "a[0-999999999999999999]"] {
            XCTAssertThrowsError(try NodeSet.expand(pattern), pattern) { error in
                XCTAssertEqual((error as? NodeSetError)?.kind, .tooManyNames, "\(error)")
                XCTAssertTrue("\(error)".contains("more than \(NodeSet.maximumNames) names"), "\(error)")
            }
        }
        // Many elements, each within the limit, whose sum would overflow a machine integer.
        let wide = "w[" + Array(repeating: "0-999999999999999999", count: 12).joined(separator: ",") + "]"
        XCTAssertThrowsError(try NodeSet.expand(wide)) { error in
            XCTAssertEqual((error as? NodeSetError)?.kind, .tooManyNames, "\(error)")
        }
        XCTAssertEqual(try NodeSet.expand("web[1-\(NodeSet.maximumNames)]").count, NodeSet.maximumNames)
        XCTAssertThrowsError(try NodeSet.expand("web[0-\(NodeSet.maximumNames)]"))
        let resolver = TargetResolver(members: ["web1"])
        XCTAssertThrowsError(try resolver.resolve("@web[1-99999999]")) { error in
            XCTAssertTrue("\(error)".contains("more than"), "\(error)")
        }
        // A hang catcher, not a speed target: enumerating 99,999,999 names would take minutes and gigabytes.
        XCTAssertLessThan(started.duration(to: .now), .seconds(60), "refusing a huge range must not enumerate it")
    }
}
