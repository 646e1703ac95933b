import Foundation
import TestSupport
import XCTest

@testable import ChopShell

/// Every inventory of the corpus (`__Corpus__/ansible`, after Ansible's documentation and test suite) read by
/// chop and by the real `ansible-inventory --list -i FILE`: the same groups with the same hosts and children,
/// the same `ungrouped`, the same connection variables for every host; and a file Ansible refuses (`bad-*`),
/// chop refuses too.
final class AnsibleOracleTests: XCTestCase {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("__Corpus__/ansible")

    /// What `ansible-inventory --list` prints, or nil when it refuses the file (only its ini and yaml plugins
    /// are enabled, and a file they cannot parse is a failure, not an empty inventory).
    private func ansible(_ path: String) throws -> [String: Any]? {
        let (status, output) = try Command.run([
            "sh", "-c",
            "ANSIBLE_INVENTORY_ENABLED=ini,yaml ANSIBLE_INVENTORY_UNPARSED_FAILED=1 ANSIBLE_NOCOLOR=1 "
                + "ansible-inventory --list -i \"$1\" 2>/dev/null",
            "sh", path,
        ])
        guard status == 0 else { return nil }
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], path)
    }

    /// A JSON value as the text chop keeps (a boolean may come as a number: `ansible_become` is compared as one).
    private func text(_ value: Any) -> String {
        if type(of: value) == Bool.self { return (value as! Bool) ? "true" : "false" }
        if let number = value as? NSNumber { return number.stringValue }
        if let string = value as? String { return string }
        return "\(value)"
    }

    func testChopReadsTheCorpusAsAnsibleInventoryDoes() throws {
        try requireTool("ansible-inventory", install: "apt-get install ansible-core")
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path).sorted()
        XCTAssertGreaterThan(files.count, 15)
        for file in files {
            let path = Self.corpus.appendingPathComponent(file).path
            let oracle = try ansible(path)
            let chop = Result { () throws(InventoryError) in try InventoryLoader.load(path).0.validated() }
            guard let oracle else {
                XCTAssertTrue(file.hasPrefix("bad-"), "\(file): ansible-inventory refuses it")
                if case .success = chop { XCTFail("\(file): ansible-inventory refuses it, chop reads it") }
                continue
            }
            XCTAssertFalse(file.hasPrefix("bad-"), "\(file): ansible-inventory reads it")
            let inventory: Inventory
            switch chop {
            case .success(let read): inventory = read
            case .failure(let error):
                XCTFail("\(file): ansible-inventory reads it, chop refuses it: \(error)")
                continue
            }
            compare(file, oracle, inventory)
        }
    }

    private func compare(_ file: String, _ oracle: [String: Any], _ inventory: Inventory) {
        // Groups with hosts or children, each with its own hosts and children (ungrouped included).
        var expected: [String: [String]] = [:]
        var expectedHosts = Set<String>()
        for (name, value) in oracle where name != "_meta" && name != "all" {
            let body = value as? [String: Any] ?? [:]
            let hosts = body["hosts"] as? [String] ?? []
            expectedHosts.formUnion(hosts)
            expected[name] = hosts.sorted() + ["/"] + (body["children"] as? [String] ?? []).sorted()
        }
        var actual: [String: [String]] = [:]
        for name in inventory.groupOrder where name != "all" {
            let group = inventory.groups[name]!
            if group.hosts.isEmpty && group.children.isEmpty { continue }
            actual[name] = group.hosts.sorted() + ["/"] + group.children.sorted()
        }
        XCTAssertEqual(actual, expected, "\(file): groups (hosts / children)")
        XCTAssertEqual(Set(inventory.hostOrder), expectedHosts, "\(file): hosts")
        // The top-level groups: all's own children and every group no other group has.
        let allChildren = Set((oracle["all"] as? [String: Any])?["children"] as? [String] ?? [])
        let children = Set(inventory.groups.values.flatMap(\.children))
        let topLevel = Set(inventory.groups["all"]?.children ?? [])
            .union(inventory.groupOrder.filter { $0 != "all" && !children.contains($0) })
        XCTAssertEqual(topLevel.subtracting(["ungrouped"]), allChildren.subtracting(["ungrouped"]), "\(file): all")

        // Each host's variables after precedence, as Ansible merged them; a Jinja value as written.
        let hostvars = (oracle["_meta"] as? [String: Any])?["hostvars"] as? [String: [String: Any]] ?? [:]
        for host in inventory.hostOrder {
            let theirs = (hostvars[host] ?? [:]).mapValues(text)
            let mine = inventory.variables(of: host)
            for key in InventoryVars.used.union(["ansible_connection"]).sorted() where key != "ansible_become" {
                XCTAssertEqual(mine[key], theirs[key], "\(file): \(host) \(key)")
            }
            XCTAssertEqual(
                mine["ansible_become"].flatMap(InventoryVars.bool),
                theirs["ansible_become"].flatMap(InventoryVars.bool),
                "\(file): \(host) ansible_become")
            XCTAssertEqual(
                inventory.settings(of: host), InventoryHost(name: host, vars: theirs), "\(file): \(host) settings")
        }
    }
}
