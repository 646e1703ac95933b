import XCTest

@testable import Chopsticks

final class FetchTemplateTests: XCTestCase {
    func testHostNamesCannotEscapeTheTemplateFolder() throws {
        let paths = try FetchTemplate.paths("out/{host}/f", hosts: ["web1", "../../etc", "a/b", ".hidden"])
        XCTAssertEqual(paths["web1"], "out/web1/f")
        XCTAssertEqual(paths["../../etc"], "out/_._.._etc/f")
        XCTAssertEqual(paths["a/b"], "out/a_b/f")
        XCTAssertEqual(paths[".hidden"], "out/_hidden/f")
        for path in paths.values { XCTAssertFalse(path.split(separator: "/").contains("..")) }
    }

    func testTemplatesMustSeparateHosts() {
        XCTAssertThrowsError(try FetchTemplate.paths("out/file", hosts: ["a", "b"]))
        XCTAssertEqual(try FetchTemplate.paths("out/file", hosts: ["a"]), ["a": "out/file"])
        XCTAssertThrowsError(try FetchTemplate.paths("out/{host}", hosts: ["a/b", "a_b"]))
    }
}
