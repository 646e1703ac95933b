import Chopsticks
import Foundation
import XCTest

/// chopsticks' API where Swift allows it (#26 item 5), through the public API only (no `@testable`): a group of
/// host names and tunnels in one list, `result["host"]`, results as a collection in group order, and
/// `ErrorResult.tb`. `Tests/ConsumerPackage` tries the same from a package of its own (.ci/run).
final class SeedAPITests: XCTestCase {
    func testAGroupTakesHostNamesKindsAndTunnelsInOneList() async throws {
        let tunnel = Tunnel(try Local("t"))
        let group = try Group(["web1.example.com", "root@db:2222", try Local("worker"), tunnel])
        XCTAssertEqual(group.names, ["web1.example.com", "root@db:2222", "worker", "t"])
        XCTAssertTrue(group["t"] === tunnel)
        XCTAssertThrowsError(try Group(["-oProxyCommand=x"]), "a host name starting with '-' is refused")
        XCTAssertThrowsError(try Group(["web1", try Local("web1")]), "duplicate names are refused")
        await group.close()
    }

    func testResultsAreADictionaryByHostAndACollectionInGroupOrder() async throws {
        let group = try Group([try Local("b"), try Local("a")])
        let result = await group.call("builtins.len", ["abc"])
        XCTAssertEqual(result.map(\.host), ["b", "a"])
        XCTAssertEqual(try result["a"]?.get(), 3)
        XCTAssertNil(result["nobody"])
        XCTAssertEqual(result.successful().map(\.host), ["b", "a"])

        let raised = await group.call("builtins.int", ["x"])
        XCTAssertEqual(raised.failures().map(\.host), ["b", "a"])
        guard case .failure(let error)? = raised["b"] else { return XCTFail("int('x') raises") }
        XCTAssertEqual(error.tb, error.traceback)
        XCTAssertTrue(error.tb?.contains("ValueError") == true, error.tb ?? "no traceback")
        await group.close()
    }
}
