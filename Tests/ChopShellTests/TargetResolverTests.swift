import XCTest

@testable import ChopShell

final class TargetResolverTests: XCTestCase {
    let resolver = TargetResolver(
        members: ["web01", "web02", "web03", "db1", "db2", "local"],
        sets: ["ok": ["web01", "db1"], "failed": ["web03"]])

    func testNamesListsRangesAndGlobsKeepGroupOrder() throws {
        XCTAssertEqual(try resolver.resolve("db1,web02"), ["web02", "db1"])
        XCTAssertEqual(try resolver.resolve("web[01-02]"), ["web01", "web02"])
        XCTAssertEqual(try resolver.resolve("web*"), ["web01", "web02", "web03"])
        XCTAssertEqual(try resolver.resolve("db?,local"), ["db1", "db2", "local"])
        XCTAssertEqual(try resolver.resolve(["@failed", "db2"]), ["web03", "db2"])
        XCTAssertEqual(try resolver.resolve("@ok"), ["web01", "db1"])
        XCTAssertEqual(try resolver.resolve("all").count, 6)
    }

    func testUnknownNamesAndEmptyGlobsAreErrors() {
        XCTAssertThrowsError(try resolver.resolve("web9")) { error in
            XCTAssertEqual("\(error)", "no member named 'web9'; 'hosts' lists them, 'add web9' adds it")
        }
        XCTAssertThrowsError(try resolver.resolve("app*")) { error in
            XCTAssertEqual("\(error)", "'app*' matches no member; 'hosts' lists them")
        }
        XCTAssertThrowsError(try resolver.resolve("web[3-1]"))
        XCTAssertThrowsError(try resolver.resolve("@"))
        XCTAssertThrowsError(try TargetResolver(members: ["a"]).resolve("failed")) { error in
            XCTAssertEqual("\(error)", "@failed is empty until an operation has run")
        }
    }
}

extension TargetResolverTests {
    /// ClusterShell's operators, left to right, over names, ranges, globs and result sets.
    func testTargetAlgebra() throws {
        XCTAssertEqual(try resolver.resolve("web*&@ok"), ["web01"])
        XCTAssertEqual(try resolver.resolve("@all!@failed"), ["web01", "web02", "db1", "db2", "local"])
        XCTAssertEqual(try resolver.resolve("web[01-02]^@ok"), ["web02", "db1"])
        XCTAssertEqual(try resolver.resolve("web*!web[01,03],db1"), ["web02", "db1"])
        XCTAssertEqual(try resolver.resolve("web*,db*&@ok"), ["web01", "db1"])  // (web*,db*) & ok
        XCTAssertEqual(try resolver.resolve("@ok&web*"), ["web01"])
        XCTAssertThrowsError(try resolver.resolve("all!all")) { XCTAssertEqual("\($0)", "'@all!all' selects no host") }
        XCTAssertThrowsError(try resolver.resolve("@@")) {
            XCTAssertEqual("\($0)", "bad target '@@': '@' names nothing")
        }
        for (target, message) in [
            ("&web*", "bad target '&web*': nothing before '&'"),
            ("web*!", "bad target 'web*!': nothing after '!'"),
            ("web*,&db1", "bad target 'web*,&db1': nothing between ',' and '&'"),
            ("web*&nothere", "no member named 'nothere'; 'hosts' lists them, 'add nothere' adds it"),
            (
                "web[1-044]&db1",
                "bad target 'web[1-044]&db1': padding mismatch in '1-044' in 'web[1-044]': a zero-padded range has the same number of digits at both ends, e.g. 001-044"
            ),
        ] {
            XCTAssertThrowsError(try resolver.resolve(target), target) { error in
                XCTAssertEqual("\(error)", message)
            }
        }
    }

    /// Operands may be inventory groups and kept results' sets as well: they reach the resolver as named sets.
    func testAlgebraOverGroupsAndKeptResults() throws {
        let resolver = TargetResolver(
            members: ["web01", "web02", "web03", "db1"],
            sets: ["webservers": ["web01", "web02", "web03"], "%2.failed": ["web02", "db1"]])
        XCTAssertEqual(try resolver.resolve("@webservers&@%2.failed"), ["web02"])
        XCTAssertEqual(try resolver.resolve("@webservers!@%2.failed"), ["web01", "web03"])
        XCTAssertEqual(try resolver.resolve("db1^@%2.failed,web03"), ["web02", "web03"])
    }
}
