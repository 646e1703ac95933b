import Chopsticks
import Foundation
import TestSupport
import XCTest

/// The user's own modules, shipped: a package with a subpackage and a data file, and a module the package
/// imports, on Python 3.6 and 3.13 (Local tunnels) and through the loopback sshd.
final class ShipTests: XCTestCase {
    /// Writes `mypkg` (with `sub/deep.py`, `data.json`, and `helper.py`, which imports `mymod`) and `mymod.py`.
    private func makeCode() throws -> String {
        let folder = try temporaryFolder(self)
        let files = [
            "mypkg/__init__.py": "from . import helper\nVERSION = 1\n",
            "mypkg/helper.py": "import mymod\n\n\ndef twice(x):\n    return mymod.double(x)\n",
            "mypkg/sub/__init__.py": "",
            "mypkg/sub/deep.py": "def where():\n    return __name__\n",
            "mypkg/data.json": "{\"k\": 1}\n",
            "mymod.py": "def double(x):\n    return 2 * x\n",
            "secret.txt": "not shipped\n",
        ]
        for (name, text) in files {
            let path = "\(folder)/\(name)"
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        return folder
    }

    private func check(_ tunnel: Tunnel, code folder: String) async throws {
        let roots = [
            try await ShippedRoot.resolve("\(folder)/mypkg"), try await ShippedRoot.resolve("\(folder)/mymod.py"),
        ]
        let shipped = try await tunnel.ship(roots)
        XCTAssertEqual(shipped.roots, ["mymod", "mypkg"])
        let doubled = try await tunnel.call("mymod.double", [21])
        XCTAssertEqual(doubled, 42)
        let twice = try await tunnel.call("mypkg.helper.twice", [5])
        XCTAssertEqual(twice, 10)
        let deep = try await tunnel.call("mypkg.sub.deep.where")
        XCTAssertEqual(deep, "mypkg.sub.deep")
        let data = try await tunnel.exec("import pkgutil\npkgutil.get_data('mypkg', 'data.json').decode()").value
        XCTAssertEqual(data, "{\"k\": 1}\n")
        // Nothing outside the roots: not a file beside the package, not a module that is not there.
        // A symlink inside the package that leads out of it is refused too.
        try? FileManager.default.createSymbolicLink(
            atPath: "\(folder)/mypkg/link.txt", withDestinationPath: "\(folder)/secret.txt")
        for source in [
            "import pkgutil\npkgutil.get_data('mypkg', '../secret.txt')", "import mypkg.nothere",
            "import pkgutil\npkgutil.get_data('mypkg', 'link.txt')",
            "import pkgutil\npkgutil.get_data('mypkg', 'sub/../../mymod.py')",
        ] {
            do {
                _ = try await tunnel.exec(source)
                XCTFail("\(source) must fail")
            } catch let error as ErrorResult {
                XCTAssertEqual(error.kind, .remote, error.msg)
            }
        }
        // Sent once per connection: a changed file is not sent again by a plain re-import…
        try "def double(x):\n    return 3 * x\n".write(
            toFile: "\(folder)/mymod.py", atomically: true, encoding: .utf8)
        let again = try await tunnel.exec("import sys\ndel sys.modules['mymod']\nimport mymod\nmymod.double(2)").value
        XCTAssertEqual(again, 4)
        // …but a reload pushes it, into the module object itself.
        let reloaded = try await tunnel.ship([], reload: ["mymod"])
        XCTAssertEqual(reloaded.reloaded, ["mymod"])
        let tripled = try await tunnel.call("mymod.double", [5])
        XCTAssertEqual(tripled, 15)
        // After a reconnect the new agent knows the roots at once.
        await tunnel.disconnect()
        let afterReconnect = try await tunnel.call("mymod.double", [1])
        XCTAssertEqual(afterReconnect, 3)
    }

    private func pyenvPython(_ version: String) throws -> String { try requirePyenvPython(version) }

    func testShippedPackageOnPython36() async throws {
        let tunnel = Tunnel(try Local("py36", python: try pyenvPython("3.6")))
        try await check(tunnel, code: try makeCode())
        await tunnel.close()
    }

    func testShippedPackageOnPython313() async throws {
        let tunnel = Tunnel(try Local("py313", python: try pyenvPython("3.13")))
        try await check(tunnel, code: try makeCode())
        await tunnel.close()
    }

    func testShippedPackageThroughSSH() async throws {
        let fleet = try requireFleet()
        let tunnel = Tunnel(try fleet.ssh("web3"))
        try await check(tunnel, code: try makeCode())
        await tunnel.close()
        await assertNoStrayChildren()
    }

    func testGroupShipAndWhatCannotBeShipped() async throws {
        let folder = try makeCode()
        let group = try Group([Tunnel(try Local("a")), Tunnel(try Local("b"))])
        let result = try await group.ship(["\(folder)/mypkg", "\(folder)/mymod.py"])
        XCTAssertEqual(result.failures().count, 0)
        let calls = await group.call("mypkg.helper.twice", [4])
        XCTAssertEqual(
            calls.successful().map(\.value), [8, 8], "\(calls.failures().map { $0.error?.msg ?? "no error" })")
        await group.close()
        for (spec, message) in [
            ("\(folder)/nothing.py", "no such file"), ("\(folder)/secret.txt", "not a .py file"),
            ("\(folder)/mypkg/sub/../..", "without __init__.py"), ("json", "json"),
            ("no_such_module_here", "cannot find a module"), ("os.path", "top-level"),
        ] {
            do {
                let root = try await ShippedRoot.resolve(spec)
                if spec == "json" {
                    XCTAssertEqual(root.name, "json")  // the stdlib's pure-Python package resolves
                    XCTAssertTrue(root.isPackage)
                } else {
                    XCTFail("\(spec) must not resolve: \(root)")
                }
            } catch {
                XCTAssertTrue(error.msg.contains(message), "\(spec): \(error.msg)")
            }
        }
    }

    /// A host asks for a shipped package's secrets: a dotfile, a file in a dot-folder, a data file that is a
    /// symlink to a dotfile, a module that is one, and a data file over the size cap. Each is refused; the
    /// package's ordinary data still comes.
    func testDotfilesDotFoldersAndHugeDataAreNotServed() async throws {
        let folder = try makeCode()
        try FileManager.default.createDirectory(atPath: "\(folder)/mypkg/.git", withIntermediateDirectories: true)
        try "SECRET=1\n".write(toFile: "\(folder)/mypkg/.env", atomically: true, encoding: .utf8)
        try "[core]\n".write(toFile: "\(folder)/mypkg/.git/config", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(
            atPath: "\(folder)/mypkg/env.json", withDestinationPath: "\(folder)/mypkg/.env")
        try FileManager.default.createSymbolicLink(
            atPath: "\(folder)/mypkg/envmod.py", withDestinationPath: "\(folder)/mypkg/.env")
        XCTAssertTrue(
            FileManager.default.createFile(
                atPath: "\(folder)/mypkg/huge.bin", contents: Data(count: 10 * 1024 * 1024 + 1)))
        let tunnel = Tunnel(try Local("dot"))
        _ = try await tunnel.ship([
            try await ShippedRoot.resolve("\(folder)/mypkg"), try await ShippedRoot.resolve("\(folder)/mymod.py"),
        ])
        let data = try await tunnel.exec("import pkgutil\npkgutil.get_data('mypkg', 'data.json').decode()").value
        XCTAssertEqual(data, "{\"k\": 1}\n")
        for source in [
            "import pkgutil\npkgutil.get_data('mypkg', '.env')",
            "import pkgutil\npkgutil.get_data('mypkg', '.git/config')",
            "import pkgutil\npkgutil.get_data('mypkg', 'sub/../.env')",
            "import pkgutil\npkgutil.get_data('mypkg', 'env.json')", "import mypkg.envmod",
            "import pkgutil\npkgutil.get_data('mypkg', 'huge.bin')",
        ] {
            do {
                let value = try await tunnel.exec(source)
                XCTFail("\(source) must fail, got \(value)")
            } catch let error as ErrorResult {
                XCTAssertEqual(error.kind, .remote, error.msg)
                XCTAssertFalse(error.msg.contains("SECRET") || error.msg.contains("[core]"), error.msg)
            }
        }
        await tunnel.close()
    }
}
