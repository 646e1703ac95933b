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
        let base = WidePipe.reserved
        let (read, _) = try newPipe()
        let before = fcntl(read, 1032)
        let wide = try XCTUnwrap(WidePipe(read))
        XCTAssertEqual(Int(fcntl(read, 1032)), WidePipe.size)
        XCTAssertEqual(WidePipe.reserved, base + WidePipe.size)
        wide.restore()
        XCTAssertEqual(fcntl(read, 1032), before)
        XCTAssertEqual(WidePipe.reserved, base)
        // No more than the budget at once: the rest keep their size.
        var held: [WidePipe] = []
        for _ in 0..<((WidePipe.budget - base) / WidePipe.size) {
            held.append(try XCTUnwrap(WidePipe(try newPipe().0)))
        }
        let (beyond, _) = try newPipe()
        XCTAssertNil(WidePipe(beyond))
        XCTAssertEqual(fcntl(beyond, 1032), before)
        for pipe in held { pipe.restore() }
        XCTAssertEqual(WidePipe.reserved, base)
        XCTAssertNil(WidePipe(-1), "not a pipe: nothing reserved")
        XCTAssertEqual(WidePipe.reserved, base)
    }

    /// The pipe is reached through a descriptor of its own: the tunnel's may be closed (and its number reused)
    /// first. A pipe the kernel will not shrink (more than 64 KiB still in it) keeps its share of the budget.
    func testRestoreReachesThePipeItWidenedAndAFullPipeKeepsItsShare() throws {
        let base = WidePipe.reserved
        var fds: [CInt] = [0, 0]
        XCTAssertEqual(pipe(&fds), 0)
        defer { close(fds[1]) }
        let wide = try XCTUnwrap(WidePipe(fds[0]))
        close(fds[0])
        let (other, _) = try newPipe()  // may take the closed number
        let untouched = fcntl(other, 1032)
        let bytes = [UInt8](repeating: 7, count: 200_000)
        XCTAssertEqual(write(fds[1], bytes, bytes.count), bytes.count, "the widened pipe takes 200 KB")
        wide.restore()
        XCTAssertEqual(fcntl(other, 1032), untouched, "another pipe is never resized")
        XCTAssertEqual(WidePipe.reserved, base + WidePipe.size, "still wide: its share stays reserved")
    }

    func testAFetchOverSSHLeavesNoPipeWidened() async throws {
        let fleet = try requireFleet()
        let base = WidePipe.reserved
        let folder = try temporaryFolder(self)
        let data = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try data.write(to: URL(fileURLWithPath: "\(folder)/big"))
        let group = try Group([Tunnel(try fleet.ssh("web1")), Tunnel(try fleet.ssh("web2"))])
        let fetched = await group.fetch("\(folder)/big", to: "\(folder)/back/{host}")
        XCTAssertEqual(fetched.failures().count, 0)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/back/web2")), data)
        XCTAssertEqual(WidePipe.reserved, base)
        await group.close()
    }
}
