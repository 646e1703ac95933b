/// The agent's replies, one `Decodable` struct per operation. Decoding a reply is where a broken or hostile
/// agent is caught: a missing or mistyped field fails that host with a protocol error that names the field,
/// never a silent default. `PROTOCOL.txt` is the spec.
enum Reply {
    /// HELLO: the agent's first frame.
    struct Hello: Decodable, Sendable {
        /// The protocol version the agent speaks; chop refuses any other (`Reply.protocolVersion`).
        var agent: Int
        var python: String
        var executable: String
        var pid: Int
        var hostname: String
        /// The facts the agent knows, for completion and help.
        var facts: [String]
        /// The socket of the agent it left behind for the next run (`LingeringAgent`), on the host.
        var linger: String?
    }

    struct LingerEnd: Decodable {
        var ended: Bool
    }

    /// The one protocol version this controller speaks.
    static let protocolVersion = 1

    struct Run: Decodable {
        var status: Int?
        var signal: Int?
        var stdoutBase64: String
        var stderrBase64: String
        var stdoutTruncated: Bool
        var stderrTruncated: Bool
        var timedOut: Bool
        var duration: Double
        /// A streamed run's output still held back when the command ended, in order (after its DATA frames).
        var tail: [TailPiece]?

        struct TailPiece: Decodable {
            var stream: UInt8
            var b64: String
        }

        enum CodingKeys: String, CodingKey {
            case status, signal, duration, tail
            case stdoutBase64 = "stdout_b64"
            case stderrBase64 = "stderr_b64"
            case stdoutTruncated = "stdout_truncated"
            case stderrTruncated = "stderr_truncated"
            case timedOut = "timed_out"
        }
    }

    struct Call: Decodable {
        var value: JSONValue
        var stdout: String
    }

    struct Exec: Decodable {
        var value: JSONValue
        var repr: String?
        var stdout: String
        var stderr: String
    }

    /// eval: the value (or its repr) and its truth on the host.
    struct Eval: Decodable {
        var value: JSONValue
        var repr: String?
        var truth: Bool
        var stdout: String
        var stderr: String
    }

    struct Facts: Decodable {
        var facts: [String: JSONValue]
        var errors: [String: String]
    }

    /// put and fetch.
    struct Transfer: Decodable {
        var remotePath: String
        var size: Int
        var sha1sum: String
        /// The remote file's permission bits (fetch: the source's; put: the ones it was given).
        var mode: Int
        /// put only: false when the same bytes and mode were there already, and nothing was written.
        var changed: Bool?

        enum CodingKeys: String, CodingKey {
            case size, sha1sum, mode, changed
            case remotePath = "remote_path"
        }
    }

    /// tree_put and tree_get: the totals; failures list entries as {"p", "b"?, "msg"} (TreePath).
    struct Tree: Decodable {
        var root: String
        var files: Int
        var bytes: Int
        var failures: [JSONValue]
        var failureCount: Int
        /// tree_put: files sent that were already there, byte for byte.
        var unchanged: Int?
        /// tree_get: devices, fifos and sockets left out.
        var skipped: Int?

        enum CodingKeys: String, CodingKey {
            case root, files, bytes, failures, unchanged, skipped
            case failureCount = "failure_count"
        }
    }

    struct Ping: Decodable {
        var time: Double
    }

    struct Ship: Decodable {
        var roots: [String]
        var reloaded: [String]
    }

    /// ERR: what went wrong on the host.
    struct Failure: Decodable {
        var type: String
        var msg: String
        var tb: String?
    }

    /// Decodes `value` as the reply to `op`, or fails with a protocol error that names what is wrong.
    static func decode<T: Decodable>(_ type: T.Type, _ value: JSONValue, op: String) throws -> T {
        do {
            return try JSONValueDecoder().decode(type, from: value)
        } catch let error as DecodingError {
            throw ErrorResult("protocol error: bad reply to \(op): \(describe(error))", kind: .protocol)
        }
    }

    /// One line for a decoding error: which field, and what was wrong with it.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context)
            return "no field '\(parent.isEmpty ? "" : parent + ".")\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "field '\(path(context))': \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
