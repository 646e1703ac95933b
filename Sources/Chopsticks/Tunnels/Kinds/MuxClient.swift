import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The few words of OpenSSH's multiplexing protocol (its PROTOCOL.mux) that chop speaks to a master itself: the
/// hello and a local forward of a Unix socket (`ssh -O forward -L LOCAL:REMOTE`), without starting an ssh client.
///
/// Each message is an SSH string (a 32-bit big-endian length, then the bytes) holding a 32-bit type and its
/// fields; the master says hello first (type 1, version 4), the client answers with the same, then asks.
enum MuxClient {
    static let hello: UInt32 = 0x0000_0001
    static let openForward: UInt32 = 0x1000_0006
    static let ok: UInt32 = 0x8000_0001
    /// A local forward (`-L`).
    static let localForward: UInt32 = 1
    /// The "port" of a Unix socket path (OpenSSH's PORT_STREAMLOCAL, -2).
    static let streamLocal: UInt32 = 0xFFFF_FFFE

    /// Asks the master listening on `control` to forward the Unix socket `local` here to `remote` on the host.
    /// True when it said OK (also for a forward it had already). Gives up after 2 seconds of silence.
    static func forward(through control: String, local: String, remote: String) -> Bool {
        guard let fd = connectUnix(control, timeout: 2) else { return false }
        defer { close(fd) }
        guard let greeting = readMessage(fd), greeting.count >= 8, word(greeting, at: 0) == hello else { return false }
        var request: [UInt8] = []
        for value in [openForward, 1, localForward] { put(value, into: &request) }
        put(string: local, into: &request)
        put(streamLocal, into: &request)
        put(string: remote, into: &request)
        put(streamLocal, into: &request)
        var out: [UInt8] = []
        put(message: [hello, 4].flatMap(bytes), into: &out)
        put(message: request, into: &out)
        guard writeAll(fd, out), let reply = readMessage(fd), reply.count >= 8 else { return false }
        return word(reply, at: 0) == ok && word(reply, at: 4) == 1
    }

    private static func bytes(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    private static func put(_ value: UInt32, into buffer: inout [UInt8]) { buffer += bytes(value) }

    private static func put(string: String, into buffer: inout [UInt8]) {
        put(message: Array(string.utf8), into: &buffer)
    }

    private static func put(message: [UInt8], into buffer: inout [UInt8]) {
        put(UInt32(message.count), into: &buffer)
        buffer += message
    }

    private static func word(_ buffer: [UInt8], at offset: Int) -> UInt32 {
        buffer[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// One message's body, or nil (end of input, a timeout, or a length past 64 KiB: no reply is that long).
    private static func readMessage(_ fd: Int32) -> [UInt8]? {
        guard let header = readExactly(fd, 4) else { return nil }
        let length = Int(word(header, at: 0))
        guard length <= 65536 else { return nil }
        return readExactly(fd, length)
    }

    private static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, count - got) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            got += n
        }
        return buffer
    }

    private static func writeAll(_ fd: Int32, _ data: [UInt8]) -> Bool {
        var sent = 0
        while sent < data.count {
            let n = data.withUnsafeBytes { write(fd, $0.baseAddress! + sent, data.count - sent) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return false }
            sent += n
        }
        return true
    }

    /// A blocking stream socket connected to the Unix socket at `path`, or nil; with `timeout`, no read, write or
    /// connect (a listener whose backlog is full) waits longer than that many seconds.
    static func connectUnix(_ path: String, timeout seconds: Int? = nil) -> Int32? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let name = Array(path.utf8)
        guard name.count < MemoryLayout.size(ofValue: address.sun_path) else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in name.enumerated() { raw[index] = byte }
        }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        if let seconds {
            var timeout = timeval(tv_sec: seconds, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
            }
        }
        if connected { return fd }
        close(fd)
        return nil
    }
}
