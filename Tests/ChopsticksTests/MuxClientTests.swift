import Foundation
import TestSupport
import XCTest

@testable import Chopsticks

#if canImport(Glibc)
    import Glibc
#endif

/// `MuxClient` against a real OpenSSH master on the loopback fleet: the forward it asks for carries bytes from a
/// local socket to one on the host, and anything but a master is refused.
final class MuxClientTests: XCTestCase {
    func testAMasterForwardsAUnixSocketAskedOnItsControlSocket() throws {
        let fleet = try requireFleet()
        let folder = try temporaryFolder(self)
        let control = "\(folder)/master"
        let remote = "\(folder)/remote.sock"
        let local = "\(folder)/local.sock"
        let listener = try listen(remote)
        defer { close(listener) }
        let master = try Command.run([
            "ssh", "-F", fleet.configFile, "-o", "ControlMaster=yes", "-o", "ControlPath=\(control)",
            "-o", "ControlPersist=10", "-f", "-N", "web1",
        ])
        XCTAssertEqual(master.status, 0)
        defer {
            _ = try? Command.run(["ssh", "-F", fleet.configFile, "-o", "ControlPath=\(control)", "-O", "exit", "web1"])
        }

        XCTAssertTrue(MuxClient.forward(through: control, local: local, remote: remote))
        XCTAssertTrue(MuxClient.forward(through: control, local: local, remote: remote), "asked again: still OK")
        let client = try XCTUnwrap(MuxClient.connectUnix(local, timeout: 10), "the master listens on the local end")
        defer { close(client) }
        var waiting = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        XCTAssertEqual(poll(&waiting, 1, 10_000), 1, "the forward reached the host's socket")
        let served = accept(listener, nil, nil)
        XCTAssertGreaterThanOrEqual(served, 0)
        defer { close(served) }
        XCTAssertEqual(write(served, "hi\n", 3), 3)
        var buffer = [UInt8](repeating: 0, count: 3)
        XCTAssertEqual(read(client, &buffer, 3), 3)
        XCTAssertEqual(buffer, Array("hi\n".utf8))

        XCTAssertFalse(MuxClient.forward(through: "\(folder)/none", local: "\(folder)/x.sock", remote: remote))
        // A socket that is not a master (it says something else first, or nothing): refused, not waited on forever.
        let other = try listen("\(folder)/other.sock")
        defer { close(other) }
        let started = Date()
        XCTAssertFalse(MuxClient.forward(through: "\(folder)/other.sock", local: "\(folder)/y.sock", remote: remote))
        XCTAssertLessThan(Date().timeIntervalSince(started), 10)
    }

    private func listen(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.enumerated() { raw[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard fd >= 0, bound == 0, Glibc.listen(fd, 4) == 0 else { throw POSIXError(.EADDRINUSE) }
        return fd
    }
}
