import Chopsticks
import Foundation
import XCTest

final class QueueTests: XCTestCase {
    func testEachHostWorksThroughItsOwnQueueIndependently() async throws {
        let slow = Tunnel(try Local("slow"))
        let fast = Tunnel(try Local("fast"))
        let queue = Queue()
        await queue.enqueue(slow, .run("sleep 1; echo slow-1"))
        await queue.enqueue(slow, .run("echo slow-2"))
        await queue.enqueue(fast, .run("echo fast-1"))
        await queue.enqueue(fast, .call("os.path.join", ["a", "b"]))
        await queue.enqueue(fast, .run("exit 3"))
        var order: [String] = []
        var values: [String: String] = [:]
        for await done in await queue.start() {
            order.append("\(done.host)#\(done.index)")
            switch done.result {
            case .success(.run(let run)): values["\(done.host)#\(done.index)"] = "\(run.status ?? -1):\(run.stdoutText)"
            case .success(.json(let json)): values["\(done.host)#\(done.index)"] = json.jsonText
            default: XCTFail("unexpected \(done.result)")
            }
        }
        // The fast host finished all three before the slow host's first command ended.
        XCTAssertEqual(Array(order.prefix(3)), ["fast#0", "fast#1", "fast#2"])
        XCTAssertEqual(Array(order.suffix(2)), ["slow#0", "slow#1"])
        XCTAssertEqual(values["fast#1"], "\"a/b\"")
        XCTAssertEqual(values["fast#2"], "3:")
        XCTAssertEqual(values["slow#1"], "0:slow-2\n")
        await slow.close()
        await fast.close()
    }

    func testAnUnreachableHostFailsEveryQueuedOperationButOthersRun() async throws {
        let broken = Tunnel(try Local("broken", python: "/nonexistent/python3"))
        let good = Tunnel(try Local("good"))
        let queue = Queue()
        await queue.enqueue(broken, .ping)
        await queue.enqueue(broken, .run("true"))
        await queue.enqueue(good, .ping)
        var failures = 0
        var successes = 0
        for await done in await queue.start() {
            if case .failure = done.result { failures += 1 } else { successes += 1 }
        }
        XCTAssertEqual(failures, 2)
        XCTAssertEqual(successes, 1)
        await broken.close()
        await good.close()
    }
}
