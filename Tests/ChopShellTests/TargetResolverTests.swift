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
