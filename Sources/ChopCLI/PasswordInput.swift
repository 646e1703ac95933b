import Chopsticks

#if canImport(Glibc)
    import Glibc
#endif

/// `--password-fd N`: the sudo password for scripts, read from a descriptor (never argv or the environment).
enum PasswordInput {
    /// The first line of `fd` (at most 4 KiB), then the descriptor is closed; nil when nothing can be read.
    static func read(fd: Int32) -> Secret? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        defer { TerminalPrompt.wipe(&line) }
        while line.count < 4096 {
            let count = Glibc.read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 || byte == 0x0A { break }
            line.append(byte)
        }
        byte = 0
        close(fd)
        if line.last == 0x0D { line.removeLast() }
        return line.isEmpty ? nil : Secret(line)
    }
}
