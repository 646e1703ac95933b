import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Local file helpers for put and fetch: files are streamed in chunks, never held whole in memory.
public enum LocalFile {
    /// 256 KiB: big enough to keep the pipe busy, small enough to bound memory per host.
    static let chunkSize = 256 * 1024

    /// This process's umask, read once (from /proc: setting it to read it would race with other threads
    /// creating files). Where it cannot be read, 0o077: nothing chop makes is then readable by others.
    static let umask: Int = {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("Umask:") }
        return line.flatMap { Int($0.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8) }
            ?? 0o077
    }()

    /// The permission bits a copy of a file of `mode` gets: the source's read/write/execute bits as the umask
    /// allows them, never a set-id or sticky bit, so never wider than the source.
    public static func copyMode(of mode: Int) -> Int {
        mode & 0o777 & ~umask
    }

    static func openForReading(_ path: String) throws -> (handle: FileHandle, size: Int, mode: Int) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ErrorResult("local file not found: \(path)", kind: .local)
        }
        if isDirectory.boolValue {
            throw ErrorResult("\(path) is a directory, not a file (put -r copies a folder)", kind: .local)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ErrorResult("cannot read \(path): permission denied", kind: .local)
        }
        var info = stat()
        guard fstat(handle.fileDescriptor, &info) == 0 else {
            throw ErrorResult("cannot read \(path): \(String(cString: strerror(errno)))", kind: .local)
        }
        return (handle, Int(info.st_size), copyMode(of: Int(info.st_mode)))
    }
}
