/// Different operations queued per host, as chopsticks' `Queue`: each host works through its own list in
/// order, independently of the others, so a fast host is never held back by a slow one. Results arrive
/// as each operation finishes.
///
/// ```swift
/// let queue = Queue()
/// await queue.enqueue(web1, .run("apt-get update"))
/// await queue.enqueue(web1, .put("app.tar", "/tmp/app.tar"))
/// await queue.enqueue(web2, .ping)
/// for await done in await queue.start() { print(done.host, done.operation, done.result) }
/// ```
public actor Queue {
    /// One queued operation.
    public enum Operation: Sendable, Equatable {
        case run(String)
        case call(String, [JSONValue])
        case exec(String)
        case facts([String]?)
        case put(local: String, remote: String?, mode: Int?)
        case fetch(remote: String, local: String?)
        case ping
    }

    /// What an operation returned.
    public enum Value: Sendable {
        case run(RunResult)
        case json(JSONValue)
        case exec(ExecResult)
        case facts(Facts)
        case put(PutResult)
        case fetch(FetchResult)
        case ping(PingResult)
    }

    /// One finished operation: which host, its position in that host's queue, and the outcome.
    public struct Completion: Sendable {
        public var host: String
        public var index: Int
        public var operation: Operation
        public var result: Result<Value, ErrorResult>
    }

    private var queues: [(tunnel: Tunnel, operations: [Operation])] = []

    public init() {}

    /// Adds `operation` to the end of `tunnel`'s queue.
    public func enqueue(_ tunnel: Tunnel, _ operation: Operation) {
        if let index = queues.firstIndex(where: { $0.tunnel === tunnel }) {
            queues[index].operations.append(operation)
        } else {
            queues.append((tunnel, [operation]))
        }
    }

    /// Starts every host's queue and empties this one. The stream ends when every host is done; stopping
    /// iteration early cancels what is still running.
    public func start() -> AsyncStream<Completion> {
        let work = queues
        queues = []
        let (stream, continuation) = AsyncStream.makeStream(of: Completion.self)
        let task = Task {
            await withTaskGroup(of: Void.self) { group in
                for (tunnel, operations) in work {
                    group.addTask {
                        for (index, operation) in operations.enumerated() {
                            let result = await Self.perform(operation, on: tunnel)
                            continuation.yield(
                                Completion(host: tunnel.name, index: index, operation: operation, result: result))
                        }
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private static func perform(_ operation: Operation, on tunnel: Tunnel) async -> Result<Value, ErrorResult> {
        do {
            switch operation {
            case .run(let command): return .success(.run(try await tunnel.run(command)))
            case .call(let function, let args): return .success(.json(try await tunnel.call(function, args)))
            case .exec(let source): return .success(.exec(try await tunnel.exec(source)))
            case .facts(let names): return .success(.facts(try await tunnel.facts(names)))
            case .put(let local, let remote, let mode):
                return .success(.put(try await tunnel.put(local, remote, mode: mode)))
            case .fetch(let remote, let local): return .success(.fetch(try await tunnel.fetch(remote, to: local)))
            case .ping: return .success(.ping(try await tunnel.ping()))
            }
        } catch {
            return .failure(ErrorResult(error))
        }
    }
}
