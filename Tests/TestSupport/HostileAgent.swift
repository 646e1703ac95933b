import Chopsticks
import Foundation

/// A hostile host: a fake agent that says hello like the real one, then attacks the controller as `mode` says.
/// The one fake the rules allow, because it plays a compromised host.
///
/// - `want-unshipped`: floods WANT frames at once, though nothing was shipped to it.
/// - `want-flood`: answers `ship`, then floods WANTs for `mypkg/big.bin` without reading chop's answers.
/// - `data-flood`: answers `run` with endless output, ignoring the timeout, CANCEL and SIGTERM.
/// Every mode answers `ping`.
public struct HostileAgent: TunnelKind {
    public let name: String
    public let mode: String
    private let file: String

    public init(name: String, mode: String, folder: String) throws {
        self.name = name
        self.mode = mode
        file = "\(folder)/hostile_agent.py"
        try Self.source.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// A stand-in interpreter for `add local NAME --python PATH` that starts the hostile agent in `mode`,
    /// for tests that drive a whole session: it finds the agent's length among the bootstrap's arguments.
    public static func interpreter(mode: String, folder: String) throws -> String {
        _ = try HostileAgent(name: "", mode: mode, folder: folder)
        let path = "\(folder)/hostile-python"
        let script = """
            #!/bin/sh
            for word; do
              case $word in *[!0-9]*|'') ;; *) exec python3 \(folder)/hostile_agent.py "$word" \(mode) ;; esac
            done
            exit 2
            """
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        return path
    }

    public var kindName: String { "hostile" }
    public var python: String? { nil }
    /// Reads the bootstrap's line and runs only its first command (`echo MARKER`), as the real bootstrap
    /// starts, so the fake's frames are read after the connection's marker; then the fake takes stdin.
    public func command(script _: String) -> [String] {
        [
            "/bin/sh", "-c",
            "IFS= read -r c; eval \"${c%%;*}\"; exec python3 \(file) \(Bootstrap.agentSource.count) \(mode)",
        ]
    }

    /// The wire in Python for fake agents: `read(k)` takes k bytes of stdin (exiting at its end), `send(op, id,
    /// payload)` writes one frame of bytes or of a JSON value.
    public static let framing = #"""
        import json, os, struct, sys
        def read(k):
            b = b''
            while len(b) < k:
                c = os.read(0, k - len(b))
                if not c:
                    sys.exit(0)
                b += c
            return b
        def send(op, rid, payload):
            if not isinstance(payload, bytes):
                payload = json.dumps(payload).encode()
            frame = memoryview(struct.pack('>IBI', 5 + len(payload), op, rid) + payload)
            while frame:
                frame = frame[os.write(1, frame):]

        """#

    static let source =
        framing + #"""
            import signal, time
            n, mode = int(sys.argv[1]), sys.argv[2]
            def want_flood(query, count):
                for wid in range(1, count + 1):
                    send(8, wid, query)
                time.sleep(120)
            send(7, 0, {'agent': 1, 'python': '3.99.0', 'executable': 'hostile', 'pid': os.getpid(),
                        'hostname': 'hostile', 'facts': []})
            read(n)
            if mode == 'want-unshipped':
                want_flood({'module': 'mypkg'}, 2000)
            if mode == 'garbage':
                os.write(1, b'\xff\xff\xff\xff' * 1000)
                time.sleep(120)
            if mode == 'unsolicited':
                send(2, 4242, {'time': 0})
                time.sleep(120)
            while True:
                length, op, rid = struct.unpack('>IBI', read(9))
                request = read(length - 5)
                if op != 1:
                    continue
                request = json.loads(request.decode())
                if request['op'] == 'ping':
                    send(2, rid, {'time': time.time()})
                elif request['op'] == 'ship':
                    send(2, rid, {'roots': request['roots'], 'reloaded': []})
                    if mode == 'want-flood':
                        want_flood({'data': 'mypkg/big.bin'}, 400)
                elif request['op'] == 'run' and mode == 'data-flood':
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    chunk = b'\x01' + b'x' * 65536
                    while True:
                        send(4, rid, chunk)
            """#
}
