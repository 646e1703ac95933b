import ChopShell
import XCTest

/// A test case with a fresh in-process session per test (closed afterwards) and a recording of what it prints:
/// the set-up the session-driven suites share.
class SessionTestCase: XCTestCase {
    var recording = RecordingIO()
    var session: Session!

    override func setUp() async throws {
        recording = RecordingIO()
        session = Session(io: recording.io)
    }

    override func tearDown() async throws {
        await session.close()
    }

    /// Runs a line and returns its result with what it printed on stdout and stderr.
    @discardableResult
    func run(_ line: String) async -> (result: CommandResult, out: [String], err: [String]) {
        let result = await session.execute(line)
        return (result, recording.takeOut(), recording.takeErr())
    }
}
