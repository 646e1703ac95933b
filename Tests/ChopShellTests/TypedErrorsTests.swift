import Chopsticks
import XCTest

@testable import ChopShell

/// Errors and states as types (#26 item 3): parse and shell errors carry a kind, the result sets are one enum,
/// and the shell, not the library, words a member's state.
final class TypedErrorsTests: XCTestCase {
    private func parseKind(_ line: String) -> ParseError.Kind? {
        do {
            _ = try CommandParser.parse(line)
            return nil
        } catch {
            return error.kind
        }
    }

    func testParseErrorsSayWhatKindOfMistakeTheyAre() {
        XCTAssertEqual(parseKind("fcats"), .unknownName)
        XCTAssertEqual(parseKind("frobnicate now"), .unknownName)
        XCTAssertEqual(parseKind("set nosuch 1"), .unknownName)
        XCTAssertEqual(parseKind("help nosuch"), .unknownName)
        XCTAssertEqual(parseKind("put"), .usage)
        XCTAssertEqual(parseKind("put a --mode 9"), .usage)
        XCTAssertEqual(parseKind("run --batch 0 uptime"), .usage)
        XCTAssertEqual(parseKind("add 'web1"), .quoting)
        XCTAssertEqual(parseKind("@ run uptime"), .target)
        XCTAssertEqual(parseKind("@web1"), .target)
        XCTAssertEqual(parseKind("@web1 quit"), .target)
        XCTAssertNil(parseKind("run uptime"))
    }

    func testShellErrorsOfTargetsAndLocalFilesSaySo() throws {
        let resolver = TargetResolver(members: ["web1", "web2"])
        for target in ["nobody", "web9*", "failed", "match", "%3.ok", "web[", ""] {
            XCTAssertThrowsError(try resolver.resolve(target), target) { error in
                XCTAssertEqual((error as? ShellError)?.kind, .target, "\(target): \(error)")
            }
        }
        XCTAssertEqual(ShellError("x").kind, .failed)
    }

    /// The result sets are listed once: `name` refuses each, completion offers each after `@`, and the
    /// resolver knows which are empty before an operation or a `where`.
    func testResultSetNamesAreOneEnum() throws {
        XCTAssertEqual(
            ResultSet.allCases.map(\.rawValue),
            ["ok", "failed", "outliers", "match", "nomatch", "skipped", "changed", "unchanged"])
        XCTAssertEqual(NameCommand.reserved, Set(["all"] + ResultSet.allCases.map(\.rawValue)))
        let completed = CompletionEngine(results: [3]).complete("@").candidates
        for set in ResultSet.allCases { XCTAssertTrue(completed.contains("@" + set.rawValue), set.rawValue) }
        for set in ResultSet.everyResult { XCTAssertTrue(completed.contains("@%3." + set.rawValue), set.rawValue) }
        for state in MemberState.targets { XCTAssertTrue(completed.contains("@" + state), state) }
    }

    /// `Tunnel.State` carries no words; the shell's `MemberState` gives each state its word and target.
    func testTheShellWordsEveryMemberState() {
        let states: [Tunnel.State] = [
            .idle, .connecting, .up, .down("x"), .unknownKey("x"), .keyChanged("x"), .needsPassword("x"), .closed,
        ]
        XCTAssertEqual(
            states.map(MemberState.word),
            ["idle", "connecting", "up", "down", "unknown key", "KEY CHANGED", "needs password", "closed"])
        XCTAssertEqual(states.compactMap(MemberState.target), MemberState.targets)
    }
}
