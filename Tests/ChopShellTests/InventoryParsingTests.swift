import Foundation
import TestSupport
import XCTest

@testable import ChopShell

/// Inventory files as chop reads them: Ansible INI and YAML, ClusterShell group files; every bad file is one
/// `FILE:LINE: message` error.
final class InventoryParsingTests: XCTestCase {
    private func parse(_ text: String, _ file: String) throws -> (Inventory, InventoryLoader.Format) {
        let (inventory, format) = try InventoryLoader.parse(text, file: file)
        return (try inventory.validated(), format)
    }

    private func failure(_ text: String, _ file: String) -> String {
        do {
            let (inventory, _) = try InventoryLoader.parse(text, file: file)
            _ = try inventory.validated()
            return "no error"
        } catch {
            return error.message
        }
    }

    func testAnsibleRanges() throws {
        XCTAssertEqual(
            try AnsibleRange.expand("web[01:03].example.com"),
            ["web01.example.com", "web02.example.com", "web03.example.com"])
        XCTAssertEqual(try AnsibleRange.expand("db-[a:c]"), ["db-a", "db-b", "db-c"])
        XCTAssertEqual(try AnsibleRange.expand("n[0:10:4]"), ["n0", "n4", "n8"])
        XCTAssertEqual(try AnsibleRange.expand("n[:2]"), ["n0", "n1", "n2"])
        XCTAssertEqual(try AnsibleRange.expand("r[1:2]n[a:b]"), ["r1na", "r1nb", "r2na", "r2nb"])
        XCTAssertEqual(try AnsibleRange.expand("x[a:e:2]"), ["xa", "xc", "xe"])
        for (bad, message) in [
            ("web[01:5]", "one width"), ("web[5:1]", "backwards"), ("web[a:3]", "neither"), ("web[1:3", "without ']'"),
            ("web[1-3]", "[START:END]"), ("web[1:3:0]", "step"), ("web[0:999999999]", "more than"),
        ] {
            XCTAssertThrowsError(try AnsibleRange.expand(bad), bad) { error in
                XCTAssertTrue("\((error as! InventoryProblem).text)".contains(message), "\(bad): \(error)")
            }
        }
    }

    func testAnsibleINIGroupsChildrenAndVariablePrecedence() throws {
        let text = """
            # a comment
            lone ansible_host=10.0.0.9
            [web]
            web[01:02] ansible_user=deploy
            web03:2222 ansible_user=admin ansible_become=yes ansible_become_user=postgres  # mine

            [db]
            db-[a:b]

            [web:vars]
            ansible_python_interpreter=/usr/bin/python3.11
            chop_via = "bastion"

            [prod:children]
            web
            db

            [prod:vars]
            ansible_port=2200
            ansible_python_interpreter=/usr/bin/python3
            ansible_ssh_common_args='-o ProxyJump=jump1,jump2'

            [all:vars]
            ansible_user=root
            """
        let (inventory, format) = try parse(text, "hosts")
        XCTAssertEqual(format, .ansibleINI)
        XCTAssertEqual(inventory.hostOrder, ["lone", "web01", "web02", "web03", "db-a", "db-b"])
        XCTAssertEqual(inventory.expanded["web"], ["web01", "web02", "web03"])
        XCTAssertEqual(inventory.expanded["prod"], ["web01", "web02", "web03", "db-a", "db-b"])
        XCTAssertEqual(inventory.expanded["ungrouped"], ["lone"])
        XCTAssertEqual(inventory.expanded["all"], inventory.hostOrder)

        // Host vars win; the child group (web) wins over its parent (prod), which wins over all.
        let web01 = inventory.settings(of: "web01")
        XCTAssertEqual(web01.user, "deploy")
        XCTAssertEqual(web01.port, 2200)
        XCTAssertEqual(web01.python, "/usr/bin/python3.11")
        XCTAssertEqual(web01.via, ["bastion"])
        XCTAssertFalse(web01.become)
        let web03 = inventory.settings(of: "web03")
        XCTAssertEqual(web03.port, 2222)
        XCTAssertEqual(web03.user, "admin")
        XCTAssertTrue(web03.become)
        XCTAssertEqual(web03.becomeUser, "postgres")
        let dbA = inventory.settings(of: "db-a")
        XCTAssertEqual(dbA.user, "root")
        XCTAssertEqual(dbA.python, "/usr/bin/python3")
        XCTAssertEqual(dbA.via, ["jump1", "jump2"])
        XCTAssertEqual(dbA.address, "db-a")
        let lone = inventory.settings(of: "lone")
        XCTAssertEqual(lone.address, "10.0.0.9")
        XCTAssertEqual(lone.user, "root")
        XCTAssertNil(lone.port)
        XCTAssertEqual(lone.via, [])
    }

    func testProxyJumpInCommonArgs() throws {
        for (args, jump) in [
            ("-J bastion", "bastion"), ("-Jroot@b:2222", "root@b:2222"), ("-o ProxyJump=a,b", "a,b"),
            ("-o 'ProxyJump b1' -o ServerAliveInterval=5", "b1"), ("-oProxyJump=x", "x"),
            ("-o StrictHostKeyChecking=yes", nil),
        ] as [(String, String?)] {
            XCTAssertEqual(try InventoryVars.proxyJump(inCommonArgs: args), jump, args)
        }
    }

    func testAnsibleYAMLWithNestedChildrenAndRanges() throws {
        let text = """
            all:
              hosts:
                mail.example.com:
              vars:
                ansible_user: ops
              children:
                webservers:
                  hosts:
                    foo.example.com:
                    bar.example.com:
                      ansible_port: 5555
                      ansible_become: true
                  vars:
                    ansible_ssh_common_args: '-J jump1'
                  children:
                    canary:
                      hosts:
                        www[01:04:2].example.com:
                      vars:
                        chop_via: [hop1, hop2]
                dbservers:
                  hosts:
                    db-[a:b]:
            """
        let (inventory, format) = try parse(text, "inventory.yml")
        XCTAssertEqual(format, .ansibleYAML)
        XCTAssertEqual(
            inventory.expanded["webservers"],
            ["foo.example.com", "bar.example.com", "www01.example.com", "www03.example.com"])
        XCTAssertEqual(inventory.expanded["canary"], ["www01.example.com", "www03.example.com"])
        XCTAssertEqual(inventory.expanded["dbservers"], ["db-a", "db-b"])
        let bar = inventory.settings(of: "bar.example.com")
        XCTAssertEqual(bar.port, 5555)
        XCTAssertTrue(bar.become)
        XCTAssertEqual(bar.user, "ops")
        XCTAssertEqual(bar.via, ["jump1"])
        XCTAssertEqual(inventory.settings(of: "www03.example.com").via, ["hop1", "hop2"])
        XCTAssertEqual(inventory.settings(of: "db-a").via, [])
        // Told by content without the extension.
        XCTAssertEqual(try parse(text, "inventory").1, .ansibleYAML)
    }

    func testClusterShellFlatAndGroupsD() throws {
        let flat = """
            # ClusterShell groups
            compute: node[01-08]
            gpu: node[01-02]
            cpu: @compute!@gpu
            both: @gpu&node[02-03]
            odd: node[01-02]^node[02-03]
            login: login[1-2]
            everything: @compute,@login
            """
        let (groups, format) = try parse(flat, "cluster")
        XCTAssertEqual(format, .clusterShell)
        XCTAssertEqual(groups.expanded["cpu"], (3...8).map { "node0\($0)" })
        XCTAssertEqual(groups.expanded["both"], ["node02"])
        XCTAssertEqual(groups.expanded["odd"], ["node01", "node03"])
        XCTAssertEqual(groups.expanded["everything"]?.count, 10)
        XCTAssertEqual(groups.expanded["all"]?.count, 10)

        let yaml = """
            roles:
              adm: 'mgmt[1-2]'
              compute: 'node[0001-0004]'
              gpu: 'node[0001-0002]'
              cpu_only: '@compute!@gpu'
            racks:
              r1: '@roles:adm,node0001'
            """
        let (groupsD, formatD) = try parse(yaml, "groups.d/cluster.yaml")
        XCTAssertEqual(formatD, .clusterShellYAML)
        XCTAssertEqual(groupsD.expanded["cpu_only"], ["node0003", "node0004"])
        XCTAssertEqual(groupsD.expanded["roles:cpu_only"], ["node0003", "node0004"])
        XCTAssertEqual(groupsD.expanded["r1"], ["mgmt1", "mgmt2", "node0001"])
        XCTAssertEqual(groupsD.expanded["racks:r1"], ["mgmt1", "mgmt2", "node0001"])
    }

    /// Each bad file is one line, `FILE:LINE: message`, at the line that is wrong.
    /// What Ansible skips with a warning, chop skips with one too, naming the line.
    func testSkippedYAMLKeysAndTemplatesAreWarnings() throws {
        let (inventory, _) = try InventoryLoader.parse(
            "all:\n  hosts:\n    web1:\n      ansible_user: '{{ who }}'\n  bogus: 1\n  children:\n    odd: [a]\n",
            file: "w.yml")
        XCTAssertEqual(
            inventory.warnings,
            [
                "w.yml:4: ansible_user is a Jinja template ('{{ who }}'), which chop does not evaluate: it is left "
                    + "unset (add refuses a host that needs it)",
                "w.yml:5: 'bogus' in group 'all' is skipped: a group has hosts, vars or children",
                "w.yml:7: group 'odd' is skipped: a group is a mapping with hosts, vars or children",
            ])
        let host = try inventory.validated().settings(of: "web1")
        XCTAssertNil(host.user)
        XCTAssertEqual(host.unresolved, ["ansible_user": "{{ who }}"])
    }

    func testBadFilesNameTheLine() {
        let cases: [(String, String, String)] = [
            ("bad.ini", "[web]\nweb1\n[web:bogus]\n", "bad.ini:3: unknown section kind ':bogus'"),
            ("bad.ini", "[web]\nweb1 ansible_port=http\n", "bad.ini:2: ansible_port must be a port number"),
            ("bad.ini", "[web]\nweb1 become\n", "bad.ini:2: expected key=value after the host name"),
            ("bad.ini", "[web]\nweb[1:3\n", "bad.ini:2: 'web[1:3': '[' without ']'"),
            ("bad.ini", "[web]\nweb1\n[nope:vars]\nx=1\n", "bad.ini:3: [nope:vars] is for a group that is not defined"),
            ("bad.ini", "[web]\nweb1 ansible_become=maybe\n", "bad.ini:2: ansible_become must be true or false"),
            ("bad.ini", "[web]\nweb1 chop_via=\"a b\"\n", "bad.ini:2: chop_via hop 'a b' contains spaces"),
            ("bad.ini", "[web]\nweb1 x='open\n", "bad.ini:2: a quote is not closed"),
            (
                "bad.ini", "[a:children]\nb\n[b:children]\na\n[b]\nh1\n",
                "bad.ini:1: groups are children of each other: a → b → a"
            ),
            ("clash.ini", "[web]\nweb1\n[db]\nweb\n", "clash.ini:4: host 'web' has the name of a group"),
            ("bad.yml", "all:\n  hosts:\n    web1:\n      ansible_port: [1]\n  bogus: 1\n", "bad.yml:4: ansible_port"),
            ("bad.yml", "all:\n  hosts:\n    42:\n", "bad.yml:3: the host pattern name 42 is a number or boolean"),
            (
                "bad.ini", "[web]\nw1\n[p:children]\nweb\nnope\n",
                "bad.ini:5: [p:children] names group 'nope', which is not"
            ),
            ("bad.ini", "[web]\n[:2]\n", "bad.ini:2: '' is not a group name"),
            ("bad.yml", "all:\n  hosts:\n    - web1\n", "bad.yml:3: 'hosts' of group 'all' must be a mapping"),
            ("bad.yml", "all:\n  hosts: {web1: }\n   bad: [\n", "bad.yml:3: YAML:"),
            ("groups", "a: node[1-2]\nb: @a,@c\n", "groups:2: @c is not a group of this file"),
            ("groups", "a: @b\nb: @a\n", "groups:1: groups refer to each other: @a → @b → @a"),
            ("groups", "a: node[1-2\n", "groups:1: 'node[1-2': "),
            ("groups", "a: node1\na: node2\n", "groups:2: group 'a' is defined twice"),
            ("g.yaml", "roles:\n  a: 'n[1-2]'\n  b: '@zz'\n", "g.yaml:3: @zz is not a group of this file"),
        ]
        for (file, text, expected) in cases {
            let message = failure(text, file)
            XCTAssertTrue(message.hasPrefix(expected), "\(file) \(text.debugDescription): \(message)")
            XCTAssertFalse(message.contains("\n"), message)
        }
    }

    /// Two files merge; a host of one named as a group of the other is refused at load time.
    func testMergedFilesAreCheckedTogether() throws {
        let (first, _) = try InventoryLoader.parse("[web]\nweb1\n", file: "a.ini")
        let (second, _) = try InventoryLoader.parse("[db]\nweb\n", file: "b.ini")
        XCTAssertThrowsError(try first.merged(with: second).validated()) { error in
            XCTAssertTrue("\(error)".hasPrefix("b.ini:2: host 'web' has the name of a group"), "\(error)")
        }
        let (third, _) = try InventoryLoader.parse("[web]\nweb2\n", file: "c.ini")
        XCTAssertEqual(try first.merged(with: third).validated().expanded["web"], ["web1", "web2"])
    }
}
