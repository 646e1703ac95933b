import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// Keeps a result's output bounded in memory: per host, the first `keep` bytes of each stream stay in the result;
/// once a stream grows past that, all of it goes to a file `<folder>/<host>.out` or `.err` (mode 0600), which
/// `show` and `diff` read back. The session removes the folder when the result leaves the history, or at exit.
///
/// Bounded on disk too, since a host decides how much it prints: at most `cap` bytes per host go to files
/// (`set spill-max`), and nothing more once the disk's free space falls under `freeFloor`. What is dropped is
/// counted, and a note at the end of the file says how much and why.
final class OutputSpill: Sendable {
    private struct Stream {
        var head = Data()
        var handle: FileHandle?
        var path: String?
        /// Bytes not written because of the cap or the disk.
        var dropped = 0
    }

    private struct State {
        var streams: [String: Stream] = [:]
        /// Bytes each host has in files.
        var spilled: [String: Int] = [:]
        /// Written since free space was last looked at.
        var sinceCheck = Int.max
        var diskLow = false
    }

    /// 1 GiB: below this much free space on its disk, nothing more is spilled.
    static let freeFloor = 1 << 30
    /// How much is written between two looks at the free space.
    private static let checkEvery = 8 << 20

    private let folder: String
    private let keep: Int
    private let cap: Int
    private let floor: Int
    private let state = NIOLockedValueBox(State())

    init(folder: String, keep: Int, cap: Int = 1 << 30, freeFloor: Int = OutputSpill.freeFloor) {
        self.folder = folder
        self.keep = max(1, keep)
        self.cap = cap
        self.floor = freeFloor
    }

    /// Takes one piece of `host`'s output as it comes.
    func receive(_ host: String, _ piece: RunOutput) {
        let key = Self.key(host, piece.stream)
        state.withLockedValue { state in
            var stream = state.streams[key, default: Stream()]
            defer { state.streams[key] = stream }
            if stream.handle != nil {
                write(piece.bytes, to: &stream, host, &state)
                return
            }
            stream.head.append(piece.bytes)
            guard stream.head.count > keep else { return }
            // Past the bound: the whole stream moves to a file, and only the file is written from now on.
            let path = "\(folder)/\(Self.fileName(host)).\(piece.stream == .stdout ? "out" : "err")"
            try? FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
                let handle = FileHandle(forWritingAtPath: path)
            else { return }
            stream.handle = handle
            stream.path = path
            write(stream.head, to: &stream, host, &state)
            // Memory keeps only the start, for the views; `show` reads the file.
            stream.head = stream.head.prefix(min(keep, HostOutcome.headBytes))
        }
    }

    /// Writes what fits under the host's cap and the disk's floor, and counts the rest as dropped.
    private func write(_ bytes: Data, to stream: inout Stream, _ host: String, _ state: inout State) {
        if state.sinceCheck >= Self.checkEvery {
            state.sinceCheck = 0
            state.diskLow = state.diskLow || Self.freeBytes(folder).map { $0 < floor } ?? false
        }
        let room = state.diskLow ? 0 : max(0, cap - state.spilled[host, default: 0])
        let kept = bytes.prefix(room)
        if !kept.isEmpty {
            try? stream.handle?.write(contentsOf: kept)
            state.spilled[host, default: 0] += kept.count
            state.sinceCheck += kept.count
        }
        stream.dropped += bytes.count - kept.count
    }

    /// Free bytes for an unprivileged user on the disk that holds `folder`.
    private static func freeBytes(_ folder: String) -> Int? {
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return nil }
        return Int(clamping: UInt64(info.f_bavail) &* UInt64(info.f_frsize))
    }

    /// What became of one host's output: the files its spilled streams went to, each stream that stayed small
    /// whole, and the start of each one that spilled.
    struct Finished {
        var files: SpilledOutput?
        var stdout = Data()
        var stderr = Data()
        /// Bytes dropped past the cap or the disk's floor, both streams.
        var dropped = 0
    }

    /// Closes `host`'s files, each ending with a note of what it lost, and hands back its output.
    func finish(_ host: String) -> Finished {
        state.withLockedValue { state -> Finished in
            var files = SpilledOutput(stdout: nil, stderr: nil)
            var finished = Finished()
            let why =
                state.diskLow
                ? "the disk's free space fell under \(floor >> 20) MiB"
                : "over spill-max (\(cap) bytes for each host)"
            state.spilled[host] = nil
            for stream in [RunOutput.Stream.stdout, .stderr] {
                guard let entry = state.streams.removeValue(forKey: Self.key(host, stream)) else { continue }
                if entry.dropped > 0 {
                    try? entry.handle?.write(contentsOf: Data(Self.note(dropped: entry.dropped, why: why).utf8))
                    finished.dropped += entry.dropped
                }
                try? entry.handle?.close()
                if stream == .stdout {
                    files.stdout = entry.path
                    finished.stdout = entry.head
                } else {
                    files.stderr = entry.path
                    finished.stderr = entry.head
                }
            }
            finished.files = files.stdout == nil && files.stderr == nil ? nil : files
            return finished
        }
    }

    private static func key(_ host: String, _ stream: RunOutput.Stream) -> String { "\(stream.rawValue)\(host)" }

    /// The line that ends a cut file.
    static func note(dropped: Int, why: String) -> String {
        "\n[chop: output cut here, \(dropped) more bytes dropped: \(why)]\n"
    }

    /// A host name as a file name: no `/`, no leading dot.
    static func fileName(_ host: String) -> String {
        let safe = host.replacingOccurrences(of: "/", with: "_")
        return safe.hasPrefix(".") ? "_" + safe : safe
    }
}
