import NIOConcurrencyHelpers

/// A password, held in this process's memory only: one copy, shared by reference, zeroed by `wipe()`.
///
/// It never prints: `description` is a placeholder, so no interpolation, log or error message can carry it.
public final class Secret: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    private let storage: NIOLockedValueBox<[UInt8]>

    /// Takes `bytes` (the caller should wipe its own copy).
    public init(_ bytes: [UInt8]) {
        storage = NIOLockedValueBox(bytes)
    }

    deinit { wipe() }

    /// Whether it has been wiped (or was empty).
    public var isEmpty: Bool { storage.withLockedValue { $0.isEmpty } }

    /// Overwrites the bytes with zeros in place, then forgets them.
    public func wipe() {
        storage.withLockedValue { bytes in
            bytes.withUnsafeMutableBufferPointer { buffer in
                for index in buffer.indices { buffer[index] = 0 }
            }
            bytes.removeAll()
        }
    }

    /// Lends the bytes to `body` without copying them out of the lock.
    func withBytes<Result>(_ body: ([UInt8]) throws -> Result) rethrows -> Result {
        try storage.withLockedValue { try body($0) }
    }

    public var description: String { "<password>" }
    public var debugDescription: String { "<password>" }
}
