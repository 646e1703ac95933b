import Chopsticks
import Foundation
import NIOConcurrencyHelpers

/// Keeps a result's output bounded in memory: per host, the first `keep` bytes of each stream stay in the result;
/// once a stream grows past that, all of it goes to a file `<folder>/<host>.out` or `.err` (mode 0600), which
/// `show` and `diff` read back. The session removes the folder when the result leaves the history, or at exit.
final class OutputSpill: Sendable {
    private struct Stream {
        var head = Data()
        var handle: FileHandle?
        var path: String?
    }

    private let folder: String
    private let keep: Int
    private let streams = NIOLockedValueBox([String: Stream]())

    init(folder: String, keep: Int) {
        self.folder = folder
        self.keep = max(1, keep)
    }

    /// Takes one piece of `host`'s output as it comes.
    func receive(_ host: String, _ piece: RunOutput) {
        let key = Self.key(host, piece.stream)
        streams.withLockedValue { streams in
            var stream = streams[key, default: Stream()]
            defer { streams[key] = stream }
            if let handle = stream.handle {
                try? handle.write(contentsOf: piece.bytes)
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
            try? handle.write(contentsOf: stream.head)
            // Memory keeps only the start, for the views; `show` reads the file.
            stream.head = stream.head.prefix(min(keep, HostOutcome.headBytes))
            stream.handle = handle
            stream.path = path
        }
    }

    /// What became of one host's output: the files its spilled streams went to, each stream that stayed small
    /// whole, and the start of each one that spilled.
    struct Finished {
        var files: SpilledOutput?
        var stdout = Data()
        var stderr = Data()
    }

    /// Closes `host`'s files and hands back its output.
    func finish(_ host: String) -> Finished {
        streams.withLockedValue { streams -> Finished in
            var files = SpilledOutput(stdout: nil, stderr: nil)
            var finished = Finished()
            for stream in [RunOutput.Stream.stdout, .stderr] {
                guard let entry = streams.removeValue(forKey: Self.key(host, stream)) else { continue }
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

    /// A host name as a file name: no `/`, no leading dot.
    static func fileName(_ host: String) -> String {
        let safe = host.replacingOccurrences(of: "/", with: "_")
        return safe.hasPrefix(".") ? "_" + safe : safe
    }
}
