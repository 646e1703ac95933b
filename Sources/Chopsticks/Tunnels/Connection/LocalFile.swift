import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Local file helpers for put and fetch: files are streamed in chunks, never held whole in memory.
enum LocalFile {
    /// 256 KiB: big enough to keep the pipe busy, small enough to bound memory per host.
    static let chunkSize = 256 * 1024

    static func openForReading(_ path: String) throws -> (handle: FileHandle, size: Int) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ErrorResult("local file not found: \(path)", kind: .local)
        }
        if isDirectory.boolValue { throw ErrorResult("\(path) is a directory, not a file", kind: .local) }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ErrorResult("cannot read \(path): permission denied", kind: .local)
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return (handle, size)
    }
}
