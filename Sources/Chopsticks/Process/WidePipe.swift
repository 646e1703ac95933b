import NIOConcurrencyHelpers

#if canImport(Glibc)
    import Glibc
#endif

/// A pipe from a tunnel's child widened to `size` for one bulk transfer, then given its old size back.
///
/// Why: ssh writes what it decrypts into the pipe chop reads; at the default 64 KiB it fills at once during a
/// fetch, and ssh then keeps its data in buffers it grows, zeroes and frees over and over (OpenSSH's sshbuf):
/// `perf` showed page faults and memset in ssh, and chop's ssh took 0.8 s more CPU than scp's for 1 GB from 10
/// hosts. At 1 MiB, the fetch went from 0.69x scp's aggregate speed to par (README "Performance").
///
/// Widened pipes count against the user's pipe allowance (`/proc/sys/fs/pipe-user-pages-soft`, 64 MiB by
/// default; past it, every new pipe of that user gets two pages), so all the pipes chop widens at once stay
/// within `budget`, a quarter of that: transfers beyond it keep the default size.
struct WidePipe: Sendable {
    /// Bytes one transfer's pipe gets.
    static let size = 1 << 20
    /// Bytes all widened pipes may hold at once.
    static let budget = 16 << 20

    private static let inUse = NIOLockedValueBox(0)
    /// Linux's fcntl commands (not all C libraries' headers name them).
    private static let setSize: CInt = 1031
    private static let getSize: CInt = 1032

    /// A descriptor of our own for the pipe (a duplicate): the tunnel's may be closed, and its number reused by
    /// another pipe, before the transfer ends.
    private let fd: CInt
    private let before: CInt

    /// Widens the pipe `descriptor` refers to, or nil: no room in the budget, not a pipe, or the kernel refused
    /// (the allowance is used up).
    init?(_ descriptor: CInt) {
        let reserved = Self.inUse.withLockedValue { used -> Bool in
            guard used + Self.size <= Self.budget else { return false }
            used += Self.size
            return true
        }
        guard reserved else { return nil }
        let fd = descriptor < 0 ? -1 : fcntl(descriptor, F_DUPFD_CLOEXEC, 0)
        let before = fd < 0 ? -1 : fcntl(fd, Self.getSize)
        guard before > 0, before < Self.size, fcntl(fd, Self.setSize, CInt(Self.size)) >= 0 else {
            if fd >= 0 { close(fd) }
            Self.inUse.withLockedValue { $0 -= Self.size }
            return nil
        }
        self.fd = fd
        self.before = before
    }

    /// Gives the pipe its old size back and frees its share of the budget. The kernel refuses while more than
    /// that is in the pipe (a transfer cut short): the pipe then stays wide, and keeps its share, for its life.
    func restore() {
        if fcntl(fd, Self.setSize, before) >= 0 { Self.inUse.withLockedValue { $0 -= Self.size } }
        close(fd)
    }

    /// Bytes the budget holds now (for tests).
    static var reserved: Int { inUse.withLockedValue { $0 } }
}
