import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `Benchmarks/relay.py` in front of one sshd: a far host on loopback, and a count of the TCP connections that
/// reached it (how tests prove a run opened none).
public final class DelayRelay {
    public let port: Int
    private let countFile: String
    private var pid: pid_t?

    /// Listens on `address`:`port` (a free port) and forwards to `target`, holding each chunk `delayMs` each way.
    public init(address: String = "127.0.0.2", target: String, delayMs: Int, folder: String) throws {
        port = try SSHFleet.freePort()
        countFile = "\(folder)/relay-\(port).count"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Benchmarks/relay.py").path
        pid = try Command.start([
            "python3", script, "--delay-ms", String(delayMs), "--listen", "\(address):\(port)=\(target)",
            "--count", countFile,
        ])
        guard eventually(timeout: 10, { connections != nil }) else {
            stop()
            throw SSHFleet.FleetUnavailable(reason: "relay.py did not start")
        }
    }

    /// Connections accepted so far; nil until the relay listens.
    public var connections: Int? {
        (try? String(contentsOfFile: countFile, encoding: .utf8)).flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    public func stop() {
        guard let pid else { return }
        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        self.pid = nil
    }

    deinit { stop() }
}
