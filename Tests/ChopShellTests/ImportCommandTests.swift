import ChopShell
import Chopsticks
import Foundation
import TestSupport
import XCTest

/// `import` in a session: current and later members, Local and through sshd, reload, and clear errors.
final class ImportCommandTests: XCTestCase {
    func testImportReachesCurrentAndLaterMembers() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(folder)/mypkg/sub", withIntermediateDirectories: true)
        try "from . import helper\n".write(toFile: "\(folder)/mypkg/__init__.py", atomically: true, encoding: .utf8)
        try "import mymod\n\n\ndef twice(x):\n    return mymod.double(x)\n".write(
            toFile: "\(folder)/mypkg/helper.py", atomically: true, encoding: .utf8)
        try "".write(toFile: "\(folder)/mypkg/sub/__init__.py", atomically: true, encoding: .utf8)
        try "ANSWER = 'deep'\n".write(toFile: "\(folder)/mypkg/sub/deep.py", atomically: true, encoding: .utf8)
        try "[1, 2]\n".write(toFile: "\(folder)/mypkg/data.json", atomically: true, encoding: .utf8)
        try "def double(x):\n    return 2 * x\n".write(toFile: "\(folder)/mymod.py", atomically: true, encoding: .utf8)

        let recording = RecordingIO()
        var settings = ShellSettings()
        settings.output = .json
        let session = Session(settings: settings, io: recording.io, sshConfigFile: fleet.configFile)
        await expect(session, "add local a", .ok)
        await expect(session, "import \(folder)/mypkg \(folder)/mymod.py", .ok)
        XCTAssertTrue(recording.takeOut().joined().contains("\"roots\":[\"mymod\",\"mypkg\"]"))
        // Members added afterwards get it too, over ssh as well.
        await expect(session, "add local b", .ok)
        await expect(session, "add web2", .ok)
        await expect(session, "call mypkg.helper.twice 21", .ok)
        let calls = recording.takeOut().joined(separator: "\n")
        XCTAssertEqual(calls.components(separatedBy: "\"value\":42").count - 1, 3, calls)
        await expect(
            session,
            "py import mypkg.sub.deep, pkgutil; (mypkg.sub.deep.ANSWER, pkgutil.get_data('mypkg', 'data.json').decode())",
            .ok)
        let values = recording.takeOut().joined(separator: "\n")
        XCTAssertEqual(values.components(separatedBy: "[\"deep\",\"[1, 2]\\n\"]").count - 1, 3, values)

        try "def double(x):\n    return 10 * x\n".write(toFile: "\(folder)/mymod.py", atomically: true, encoding: .utf8)
        await expect(session, "import --reload mymod", .ok)
        _ = recording.takeOut()
        await expect(session, "call mymod.double 2", .ok)
        XCTAssertEqual(recording.takeOut().joined().components(separatedBy: "\"value\":20").count - 1, 3)

        _ = recording.takeErr()
        for (line, message) in [
            ("import \(folder)/nothing.py", "no such file"), ("import --reload json", "was not imported"),
            ("import", "needs a .py file"), ("@a import \(folder)/mymod.py", "applies to operations such as run"),
            ("import --reload", "needs a module name"), ("import --reload a..b", "not a module name"),
        ] {
            await expect(session, line, .error)
            let error = recording.takeErr().joined(separator: "\n")
            XCTAssertTrue(error.contains(message), "\(line): \(error)")
            XCTAssertFalse(error.contains("\n"), error)
        }
        await session.close()
    }
}
