import Foundation
import TestSupport
import XCTest

@testable import ChopShell

/// chop's node sets against ClusterShell's: every pattern of the corpus (`__Corpus__/nodeset/patterns.txt`, the
/// inputs of ClusterShell's own tests and chop's cases) folded, expanded and counted by chop and by ClusterShell,
/// and refused by both or by neither, except where chop differs on purpose, as `help targets` says.
final class NodeSetOracleTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("__Corpus__/nodeset/patterns.txt")

    /// What ClusterShell makes of one pattern: the `NodeSet` class that `nodeset -f/-e/-c` use, in one Python
    /// process (the interpreter of the `nodeset` script) rather than three processes per pattern.
    struct Answer: Decodable {
        var fold: String?
        var expand: [String]?
        var count: Int?
        /// `nodeset -f` of the expanded names joined by commas: folding names, not a pattern.
        var foldNames: String?
    }

    private static let driver = """
        import json, sys
        from ClusterShell.NodeSet import NodeSet
        for line in sys.stdin.read().split("\\n")[:-1]:
            try:
                ns = NodeSet(line)
                names = list(ns) if len(ns) <= 100000 else None
                out = {"fold": str(ns), "count": len(ns), "expand": names}
                if names is not None and len(names) == len(set(names)):
                    out["foldNames"] = str(NodeSet(",".join(names))) if names else ""
            except Exception:
                out = {}
            print(json.dumps(out))
        """

    private func clusterShell(_ patterns: [String]) throws -> [Answer] {
        let folder = try temporaryFolder(self)
        try Self.driver.write(toFile: "\(folder)/driver.py", atomically: true, encoding: .utf8)
        try (patterns.joined(separator: "\n") + "\n").write(
            toFile: "\(folder)/patterns", atomically: true, encoding: .utf8)
        let script =
            "python=$(head -1 \"$(command -v nodeset)\" | cut -c3-); exec $python \"$1/driver.py\" < \"$1/patterns\""
        let (status, output) = try Command.run(["sh", "-c", script, "sh", folder])
        XCTAssertEqual(status, 0)
        return try output.split(separator: "\n").map { try JSONDecoder().decode(Answer.self, from: Data($0.utf8)) }
    }

    /// Where chop differs on purpose: ClusterShell's set operators (`!`, `&`, `^`, chop's target algebra has
    /// its own), names starting with '-' (options to the `nodeset` command), sets of more than
    /// `NodeSet.maximumNames` names, numbers of more than 18 digits, and patterns that name one host twice
    /// (chop keeps each once).
    private func deliberate(_ pattern: String, _ answer: Answer) -> String? {
        if pattern.contains(where: { "!&^".contains($0) }) { return "operator" }
        if pattern.trimmingCharacters(in: .whitespaces).hasPrefix("-") { return "option" }
        if let count = answer.count, count > NodeSet.maximumNames { return "too many" }
        if pattern.split(whereSeparator: { !$0.isNumber }).contains(where: { $0.count > NodeSet.maximumDigits }) {
            return "number too large"
        }
        if let names = answer.expand, Set(names).count != names.count { return "duplicates" }
        return nil
    }

    func testChopReadsNodeSetsAsClusterShellDoes() throws {
        try requireTool("nodeset", install: "apt-get install clustershell")
        let patterns = try String(contentsOf: Self.corpus, encoding: .utf8).split(separator: "\n")
            .map(String.init).filter { !$0.hasPrefix("# ") }
        let answers = try clusterShell(patterns)
        XCTAssertEqual(answers.count, patterns.count)
        var compared = 0
        var refused = 0
        for (pattern, answer) in zip(patterns, answers) {
            let reason = deliberate(pattern, answer)
            let mine = Result { () throws(NodeSetError) in try NodeSet.expand(pattern) }
            if reason == "too many" {
                if case .success = mine { XCTFail("'\(pattern)': more than \(NodeSet.maximumNames) names accepted") }
            }
            if reason != nil { continue }
            guard let fold = answer.fold, let names = answer.expand, let count = answer.count else {
                if case .success(let names) = mine {
                    XCTFail("'\(pattern)': ClusterShell refuses it, chop reads \(names.prefix(5))")
                }
                refused += 1
                continue
            }
            let expanded: [String]
            switch mine {
            case .success(let result): expanded = result
            case .failure(let error):
                XCTFail("'\(pattern)': ClusterShell reads it (\(fold)), chop refuses it: \(error)")
                continue
            }
            compared += 1
            XCTAssertEqual(Set(expanded), Set(names), "'\(pattern)': -e")
            XCTAssertEqual(expanded.count, count, "'\(pattern)': -c")
            XCTAssertEqual(try NodeSet.fold(pattern: pattern), fold, "'\(pattern)': -f")
            if let foldNames = answer.foldNames {
                XCTAssertEqual(NodeSet.fold(expanded), foldNames, "'\(pattern)': -f of the names")
            }
        }
        XCTAssertGreaterThan(compared, 350)
        XCTAssertGreaterThan(refused, 20)
    }

    /// `help targets` names exactly the differences `deliberate` excuses (set operators are chop's target
    /// algebra, listed above them, and a leading '-' is an option to the `nodeset` command, not a name).
    func testHelpTargetsListsExactlyTheDifferences() throws {
        let help = try XCTUnwrap(CommandHelp.help(for: "targets")).split(separator: "\n").map(String.init)
        let start = try XCTUnwrap(help.firstIndex { $0.hasSuffix("except that in chop:") })
        let differences = help[(start + 1)...].prefix { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
        XCTAssertEqual(
            differences.map { $0.trimmingCharacters(in: .whitespaces) },
            [
                "members keep the order they were added in (nodeset sorts them)",
                "a[1-2]b[3-4] multiplies in the order written: a1b3 a1b4 a2b3 a2b4",
                "one pattern makes at most 100,000 names, of numbers up to 18 digits",
                "a name given twice is one host (nodeset can print n-1,n[-1] as n-1,n-1)",
            ])
        XCTAssertEqual(try NodeSet.expand("b1,a2"), ["b1", "a2"])
        XCTAssertEqual(try NodeSet.expand("a[1-2]b[3-4]"), ["a1b3", "a1b4", "a2b3", "a2b4"])
        XCTAssertThrowsError(try NodeSet.expand("n[1-100001]"))
        XCTAssertEqual(try NodeSet.expand("n-1,n[-1]"), ["n-1"])
    }

    /// The cases of the issue through the `nodeset` command itself.
    func testTheNodesetCommandAgrees() throws {
        try requireTool("nodeset", install: "apt-get install clustershell")
        func nodeset(_ flag: String, _ pattern: String) throws -> String? {
            let (status, output) = try Command.run(["sh", "-c", "nodeset \(flag) -- \"$1\" 2>/dev/null", "sh", pattern])
            return status == 0 ? output.trimmingCharacters(in: .newlines) : nil
        }
        XCTAssertEqual(try nodeset("-f", "n[-5-5]"), "n[-5-5]")
        XCTAssertEqual(try NodeSet.fold(pattern: "n[-5-5]"), "n[-5-5]")
        for refused in ["0[7-10]", "n[-001]", "prod-0[10-345]", "n[1-4]0[3-4]", "n[1-7/2]0"] {
            XCTAssertNil(try nodeset("-f", refused), refused)
            XCTAssertThrowsError(try NodeSet.expand(refused), refused)
        }
        let grid = "da[2-3]c[1-2],da[3-4]c[3-4]"
        XCTAssertEqual(try NodeSet.fold(pattern: grid), try nodeset("-f", grid))
        XCTAssertEqual(try NodeSet.fold(pattern: grid), "da3c[1-4],da2c[1-2],da4c[3-4]")
    }
}
