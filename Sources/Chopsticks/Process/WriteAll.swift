import Foundation

/// Writes every byte of `buffer` to `fd`, again after a signal (`EINTR`) or a short write: a file is either
/// written whole or the caller hears why not. Returns 0, or the `errno` of the write that failed (`ENOSPC` when
/// the kernel wrote nothing and said no error).
func writeAll(_ fd: CInt, _ buffer: UnsafeRawBufferPointer) -> CInt {
    var offset = 0
    while offset < buffer.count {
        let count = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
        if count < 0 && errno == EINTR { continue }
        if count < 0 { return errno }
        if count == 0 { return ENOSPC }
        offset += count
    }
    return 0
}
