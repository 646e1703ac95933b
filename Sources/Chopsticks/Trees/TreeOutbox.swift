import NIOCore

/// A host's tree frames on their way out, written a batch at a time.
///
/// Why: a tree of 5,000 small files written one frame at a time is 5,000 writes, each waking ssh, sshd and the
/// agent (and, over ssh, one packet each); held until `batchBytes` and written at once, it is a few hundred. A
/// host writes what it holds before it waits for the feed, so batching never delays a frame behind a wait.
struct TreeOutbox {
    /// The request the frames belong to, and the connection they go out on.
    let id: UInt32
    let connection: AgentConnection
    private var frames: [ByteBuffer] = []
    private var bytes = 0

    /// Frames are written once this many bytes wait (a 256 KiB chunk goes out at once).
    static let batchBytes = 256 << 10

    init(id: UInt32, connection: AgentConnection) {
        self.id = id
        self.connection = connection
    }

    /// Adds a DATA frame, writing the batch once it is full.
    mutating func add(_ frame: ByteBuffer) async throws {
        frames.append(frame)
        bytes += frame.readableBytes
        if bytes >= Self.batchBytes { try await flush() }
    }

    /// Writes what waits, if anything.
    mutating func flush() async throws {
        guard !frames.isEmpty else { return }
        let batch = frames
        frames.removeAll(keepingCapacity: true)
        bytes = 0
        try await connection.sendData(id, frames: batch)
    }
}
