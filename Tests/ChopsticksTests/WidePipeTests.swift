import Foundation
import TestSupport
import XCTest

@testable import Chopsticks

/// A fetch's pipe is widened for the transfer and given back, within a budget for all pipes at once.
final class WidePipeTests: XCTestCase {
    private func newPipe() throws -> (CInt, CInt) {
        var fds: [CInt] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        addTeardownBlock {
            close(fds[0])
            close(fds[1])
        }
        return (fds[0], fds[1])
    }

    func testAPipeIsWidenedThenRestoredAndTheBudgetBoundsThemAll() throws {
        XCTAssertEqual(WidePipe.reserved, 0)
        let (read, _) = try newPipe()
        let before = fcntl(read, 1032)
        let wide = try XCTUnwrap(WidePipe(read))
        XCTAssertEqual(Int(fcntl(read, 1032)), WidePipe.size)
        XCTAssertEqual(WidePipe.reserved, WidePipe.size)
        wide.restore()
        XCTAssertEqual(fcntl(read, 1032), before)
        XCTAssertEqual(WidePipe.reserved, 0)
        // No more than the budget at once: the rest keep their size.
        var held: [WidePipe] = []
        for _ in 0..<(WidePipe.budget / WidePipe.size) { held.append(try XCTUnwrap(WidePipe(try newPipe().0))) }
        let (beyond, _) = try newPipe()
        XCTAssertNil(WidePipe(beyond))
        XCTAssertEqual(fcntl(beyond, 1032), before)
        for pipe in held { pipe.restore() }
        XCTAssertEqual(WidePipe.reserved, 0)
        XCTAssertNil(WidePipe(-1), "not a pipe: nothing reserved")
        XCTAssertEqual(WidePipe.reserved, 0)
    }

    func testAFetchOverSSHLeavesNoPipeWidened() async throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let data = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try data.write(to: URL(fileURLWithPath: "\(folder)/big"))
        let group = try Group([Tunnel(try fleet.ssh("web1")), Tunnel(try fleet.ssh("web2"))])
        let fetched = await group.fetch("\(folder)/big", to: "\(folder)/back/{host}")
        XCTAssertEqual(fetched.failures().count, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/back/web2")), data)
        XCTAssertEqual(WidePipe.reserved, 0)
        await group.close()
    }
}
