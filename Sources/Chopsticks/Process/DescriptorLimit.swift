#if canImport(Glibc)
    import Glibc
#endif

/// The open-files limit (RLIMIT_NOFILE): every member holds three pipe ends, and ssh members more in their ssh
/// process, so a large fleet needs more than the usual soft limit of 1,024.
public enum DescriptorLimit {
    /// Raises the soft limit to the hard one. Call once at start-up, before any member connects: interactive
    /// and batch mode alike (the library never changes process-wide limits by itself).
    public static func raiseSoftLimit() {
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    /// The soft limit now, if it can be read.
    public static var current: Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return nil }
        return limit.rlim_cur >= rlim_t(Int.max) ? nil : Int(limit.rlim_cur)
    }

    /// What to tell the user when `errno` means the descriptors ran out (EMFILE for this process, ENFILE for
    /// the whole system); nil for any other error.
    static func describe(_ errno: CInt) -> String? {
        switch errno {
        case EMFILE:
            let limit = current.map { " (\($0))" } ?? ""
            return "too many open files: chop reached its open-files limit\(limit); raise `ulimit -n` and reconnect"
        case ENFILE:
            return "too many open files on this machine (the system-wide limit): close some programs and reconnect"
        default:
            return nil
        }
    }
}
