import ChopShell
import Foundation
import TestSupport
import XCTest

/// Remote path completion asks a live member for real: names as typed, directories marked, hidden files only
/// when asked for, and nothing (quickly) when no member is up.
final class RemotePathTests: XCTestCase {
    func testPathsComeFromALiveMember() async throws {
        let folder = try temporaryFolder(self)
        try FileManager.default.createDirectory(atPath: "\(folder)/alps", withIntermediateDirectories: true)
        for name in ["alpha.txt", ".alpine", "beta", "it's odd \"quoted\""] {
            try "x".write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
        }
        let recording = RecordingIO()
        let session = Session(io: recording.io)
        let none = await RemotePathCompletion.paths(target: nil, prefix: "/", in: session)
        XCTAssertEqual(none, [], "no member yet")
        _ = await session.execute("add local here")
        _ = await session.execute("connect")
        var paths = await RemotePathCompletion.paths(target: nil, prefix: "\(folder)/al", in: session)
        XCTAssertEqual(paths, ["\(folder)/alpha.txt", "\(folder)/alps/"])
        paths = await RemotePathCompletion.paths(target: "here", prefix: "\(folder)/.al", in: session)
        XCTAssertEqual(paths, ["\(folder)/.alpine"])
        paths = await RemotePathCompletion.paths(target: nil, prefix: "\(folder)/it", in: session)
        XCTAssertEqual(paths, ["\(folder)/it's odd \"quoted\""])
        paths = await RemotePathCompletion.paths(target: nil, prefix: "\(folder)/nothing/x", in: session)
        XCTAssertEqual(paths, [])
        // The shared exec namespace is left as it was.
        _ = await session.execute("py sorted(k for k in globals() if not k.startswith('__'))")
        XCTAssertTrue(recording.takeOut().joined().contains("[]"))
        await session.close()
    }
}
