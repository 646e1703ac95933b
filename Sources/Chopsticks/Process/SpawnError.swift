import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Why a child could not be started.
struct SpawnError: Error, CustomStringConvertible {
    let command: String
    let errno: CInt

    var description: String {
        if errno == ENOENT { return "\(command) not found (is it installed and in PATH?)" }
        if let exhausted = DescriptorLimit.describe(errno) { return "cannot start \(command): \(exhausted)" }
        return "cannot start \(command): \(String(cString: strerror(errno)))"
    }
}
