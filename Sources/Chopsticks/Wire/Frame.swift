import NIOCore

/// One unit of the agent protocol: a length-prefixed frame with an op code, a request id and a payload.
///
/// On the wire: 4-byte big-endian length `L` (= 5 + payload size), 1-byte op, 4-byte big-endian request id,
/// then the payload. JSON for requests and results, raw bytes for file chunks. The request id lets several
/// requests share one tunnel: a slow `run` does not hold up a `ping`. See `Agent/PROTOCOL.txt`.
public struct Frame: Sendable, Equatable {
    /// What a frame means. The values are the protocol's; keep them in sync with `agent_1_core.py`.
    public enum Op: UInt8, Sendable {
        /// Controller → agent: a JSON request object `{"op": NAME, …}`.
        case request = 0x01
        /// Agent → controller: the JSON result of a request.
        case ok = 0x02
        /// Agent → controller: `{"type", "msg", "tb"}`; ends the request.
        case error = 0x03
        /// Either way: a raw file chunk (put: to the agent, fetch: to the controller).
        case data = 0x04
        /// Controller → agent: the end of a put's data, with its SHA-1 and size.
        case end = 0x05
        /// Controller → agent: stop a request (kills its subprocess).
        case cancel = 0x06
        /// Agent → controller: the first frame, describing the interpreter.
        case hello = 0x07
        /// Agent → controller: `{"module": NAME}` or `{"data": PATH}`, a shipped module or data file the
        /// agent's import hook wants; the id is the agent's own.
        case want = 0x08
        /// Controller → agent: the answer to a `want`, with its id (`ModuleServer`).
        case shipped = 0x09
        /// Either way, with a gateway: the id is a leaf's route, the payload one frame of that leaf without
        /// its length (op, id, payload). See `GatewayRouter`.
        case route = 0x0A
        /// Gateway → controller: `{"login"}`, `{"stderr"}` or `{"exit", "fault"?}` about the leaf of route id.
        case leaf = 0x0B
    }

    /// Frames larger than this are refused: a broken or hostile host cannot make the controller allocate
    /// without bound.
    public static let maxPayload = 16 * 1024 * 1024

    /// Size of the fixed header after the length field: op (1) + id (4).
    static let headerSize = 5

    public var op: Op
    public var id: UInt32
    public var payload: ByteBuffer

    public init(op: Op, id: UInt32, payload: ByteBuffer = ByteBuffer()) {
        self.op = op
        self.id = id
        self.payload = payload
    }
}

extension Frame {
    /// Writes the frame's length, op and id (4 + `headerSize` bytes, big-endian) into `buffer`: the one encoder
    /// of the header, for the pipe (`FrameWriter`) and for a request carried in a command line (`OpeningRequest`).
    func writeHeader(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt32(Frame.headerSize + payload.readableBytes))
        buffer.writeInteger(op.rawValue)
        buffer.writeInteger(id)
    }
}
