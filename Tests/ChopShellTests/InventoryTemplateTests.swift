import ChopShell
import Foundation
import TestSupport
import XCTest

/// A Jinja value in an inventory is not an error: it is left unset with one warning naming `FILE:LINE`, and
/// `add` refuses only a host whose connection needs it.
final class InventoryTemplateTests: SessionTestCase {
    func testTemplatesAreLeftUnsetWithAWarningAndRefusedOnlyWhereNeeded() async throws {
        let folder = try temporaryFolder(self)
        try """
        [web]
        web1 ansible_host="{{ lookup('env', 'WEB1') }}"
        web2

        [web:vars]
        ansible_python_interpreter={{ ansible_playbook_python }}
        """.write(toFile: "\(folder)/hosts", atomically: true, encoding: .utf8)
        await run("set dry-run on")
        var step = await run("inventory \(folder)/hosts")
        XCTAssertEqual(step.result, .ok)
        XCTAssertEqual(
            step.err,
            [
                "warning: \(folder)/hosts:2: ansible_host is a Jinja template ('{{ lookup('env', 'WEB1') }}'), which "
                    + "chop does not evaluate: it is left unset (add refuses a host that needs it)",
                "warning: \(folder)/hosts:6: ansible_python_interpreter is a Jinja template "
                    + "('{{ ansible_playbook_python }}'), which chop does not evaluate: it is left unset (add refuses "
                    + "a host that needs it)",
                "read \(folder)/hosts (Ansible INI): 1 group, 2 hosts; 'add @GROUP' adds a group's hosts",
            ])
        step = await run("add @web")
        XCTAssertEqual(step.result, .error)
        XCTAssertEqual(
            step.err,
            [
                "chop: web1: ansible_host is the Jinja template '{{ lookup('env', 'WEB1') }}', which chop cannot "
                    + "evaluate; give web1 a plain ansible_host in the inventory"
            ])
        let before = await session.group.names
        XCTAssertEqual(before, [], "all or nothing: web2 was not added either")
        // The interpreter is not needed: chop finds a Python itself.
        try """
        [py]
        py1
        [py:vars]
        ansible_python_interpreter={{ ansible_playbook_python }}
        """.write(toFile: "\(folder)/py", atomically: true, encoding: .utf8)
        await run("inventory \(folder)/py")
        step = await run("add @py")
        XCTAssertEqual(step.result, .ok, "\(step.err)")
        let after = await session.group.names
        XCTAssertEqual(after, ["py1"])
    }
}
