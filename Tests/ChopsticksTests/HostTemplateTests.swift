import XCTest

@testable import Chopsticks

final class HostTemplateTests: XCTestCase {
    func testOnlyHostAndDoubledBracesAreSpecial() {
        XCTAssertEqual(HostTemplate.expand("echo {host}", host: "web1"), "echo web1")
        XCTAssertEqual(HostTemplate.expand("{host}{host}", host: "a"), "aa")
        XCTAssertEqual(HostTemplate.expand("awk '{print $1}'", host: "a"), "awk '{print $1}'")
        XCTAssertEqual(
            HostTemplate.expand("${HOME} {hostname} {HOST} { host}", host: "a"), "${HOME} {hostname} {HOST} { host}")
        XCTAssertEqual(HostTemplate.expand("{{host}} {{ }} {{{host}}}", host: "a"), "{host} { } {a}")
        XCTAssertEqual(HostTemplate.expand("f() {{ echo; }}", host: "a"), "f() { echo; }")
        XCTAssertEqual(HostTemplate.expand("{ } {", host: "a"), "{ } {")
        XCTAssertEqual(HostTemplate.expand("no braces", host: "a"), "no braces")
        XCTAssertTrue(HostTemplate.mentionsHost("x/{host}/y"))
        XCTAssertFalse(HostTemplate.mentionsHost("x/{{host}}/y"))
        XCTAssertFalse(HostTemplate.mentionsHost("x/{print}"))
    }

    func testCommandsQuoteTheNameAndPathsKeepItOneComponent() {
        XCTAssertEqual(HostTemplate.command("echo {host}", host: "web1"), "echo web1")
        XCTAssertEqual(HostTemplate.command("echo {host}", host: "a;rm -rf x"), "echo 'a;rm -rf x'")
        XCTAssertEqual(HostTemplate.command("echo {host}", host: "it's"), "echo 'it'\\''s'")
        XCTAssertEqual(HostTemplate.path("/tmp/{host}.conf", host: "../etc"), "/tmp/_._etc.conf")
    }

    func testHostNamesCannotEscapeTheTemplateFolder() throws {
        let paths = try HostTemplate.paths("out/{host}/f", hosts: ["web1", "../../etc", "a/b", ".hidden"])
        XCTAssertEqual(paths["web1"], "out/web1/f")
        XCTAssertEqual(paths["../../etc"], "out/_._.._etc/f")
        XCTAssertEqual(paths["a/b"], "out/a_b/f")
        XCTAssertEqual(paths[".hidden"], "out/_hidden/f")
        for path in paths.values { XCTAssertFalse(path.split(separator: "/").contains("..")) }
    }

    func testTemplatesMustSeparateHosts() {
        XCTAssertThrowsError(try HostTemplate.paths("out/file", hosts: ["a", "b"]))
        XCTAssertEqual(try HostTemplate.paths("out/file", hosts: ["a"]), ["a": "out/file"])
        XCTAssertThrowsError(try HostTemplate.paths("out/{host}", hosts: ["a/b", "a_b"]))
    }
}
