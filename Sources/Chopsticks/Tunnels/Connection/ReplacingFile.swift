import Foundation

/// A local file chop creates (a fetched file, a `record` script): written under a new temporary name in its
/// target folder, then renamed over the target.
///
/// Why: the target may sit in a folder others can write to, where a symlink planted at the target's name would
/// turn a write by path into a write to wherever it points. The temporary name is created with
/// `O_CREAT|O_EXCL|O_NOFOLLOW` (mode 0600, so nobody reads it before its mode is set), every access goes
/// through the folder's descriptor, and the rename replaces whatever is at the target (a planted symlink
/// included) rather than following it. `folderMayBeLink: false` refuses a folder that is itself a symlink
/// (`./fetched/HOST`, which chop names, not the user).
public final class ReplacingFile: @unchecked Sendable {
    // @unchecked: the descriptors are only used by one owner at a time (FetchSink uses it on its queue only).
    /// The target path, as given.
    public let path: String
    private let name: String
    private let temporary: String
    private var folder: CInt
    private var file: CInt
    private var renamed = false

    /// Creates the temporary file in `path`'s folder (which must exist).
    public init(_ path: String, folderMayBeLink: Bool = true) throws(ErrorResult) {
        let folderPath = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        guard !name.isEmpty, name != ".", name != ".." else {
            throw ErrorResult("\(path) names a folder, not a file", kind: .local)
        }
        let folder = open(
            folderPath.isEmpty ? "." : folderPath,
            O_RDONLY | O_DIRECTORY | O_CLOEXEC | (folderMayBeLink ? 0 : O_NOFOLLOW))
        guard folder >= 0 else {
            let reason =
                errno == ELOOP || errno == ENOTDIR
                ? "it is a symlink or not a folder; remove it, or give a LOCAL path" : String(cString: strerror(errno))
            throw ErrorResult("cannot write in \(folderPath): \(reason)", kind: .local)
        }
        var file: CInt = -1
        var temporary = ""
        for _ in 0..<8 where file < 0 {
            temporary = ".\(name.prefix(200)).chop-\(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF)"
            file = openat(folder, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if file < 0 && errno != EEXIST { break }
        }
        guard file >= 0 else {
            let reason = String(cString: strerror(errno))
            Foundation.close(folder)
            throw ErrorResult("cannot write local file \(path): \(reason)", kind: .local)
        }
        (self.path, self.name, self.temporary, self.folder, self.file) = (path, name, temporary, folder, file)
    }

    deinit { close() }

    /// Appends `bytes`, all of them.
    public func write(_ bytes: Data) throws(ErrorResult) {
        var failure: ErrorResult?
        bytes.withUnsafeBytes { buffer in
            do { try write(buffer) } catch { failure = ErrorResult(error) }
        }
        if let failure { throw failure }
    }

    /// Appends the bytes `buffer` points at, all of them (a fetch writes from the buffer it read into).
    public func write(_ buffer: UnsafeRawBufferPointer) throws(ErrorResult) {
        let failure = writeAll(file, buffer)
        if failure != 0 {
            throw ErrorResult("cannot write local file \(path): \(String(cString: strerror(failure)))", kind: .local)
        }
    }

    /// Gives the file its permission bits and renames it over the target. The descriptor stays open: a
    /// `record` file is written to after it is in place.
    public func commit(mode: Int) throws(ErrorResult) {
        guard fchmod(file, mode_t(mode & 0o7777)) == 0, renameat(folder, temporary, folder, name) == 0 else {
            throw ErrorResult("cannot write local file \(path): \(String(cString: strerror(errno)))", kind: .local)
        }
        renamed = true
    }

    /// Closes the file; one not renamed into place is removed, and the target is left as it was.
    public func close() {
        if file >= 0 {
            Foundation.close(file)
            file = -1
        }
        if !renamed, folder >= 0 { unlinkat(folder, temporary, 0) }
        if folder >= 0 {
            Foundation.close(folder)
            folder = -1
        }
    }
}
