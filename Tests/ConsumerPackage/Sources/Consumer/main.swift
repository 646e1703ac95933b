import Chopsticks
import Foundation

// What a user of the Python library chopsticks writes first, in Swift, against chop's public API only: a
// Group of host names and tunnels in one list, call/put/fetch, the results as a dictionary keyed by host and
// as a collection in group order, successful()/failures(), and ErrorResult's msg and tb. Exits 1 on a surprise.

var surprises: [String] = []
@MainActor func expect(_ condition: Bool, _ what: String) {
    if !condition { surprises.append(what) }
}

// Host names and tunnel kinds mixed in one list, as `Group(["web1.example.com", Docker("example"), Local("worker")])`.
// Only the Local members are asked anything: this runs with no network.
let fleet = try Group(["web1.example.com", try Local("worker"), try Local("helper")])
expect(fleet.names == ["web1.example.com", "worker", "helper"], "Group(mixed list) keeps the order: \(fleet.names)")
let group = fleet.subset(["worker", "helper"])

let versions = await group.call("platform.python_version")
expect(versions.count == 2, "one result per host")
expect(versions.map(\.host) == ["worker", "helper"], "results in group order")
if case .success(let version)? = versions["worker"] {
    expect(version.stringValue?.hasPrefix("3.") == true, "result[\"worker\"] is the Python version")
} else {
    expect(false, "result[\"worker\"] is a success")
}
expect(versions.successful().count == 2 && versions.failures().isEmpty, "successful() and failures()")

let raised = await group.call("builtins.int", ["not a number"])
for entry in raised {
    guard case .failure(let error) = entry.result else {
        expect(false, "\(entry.host): int('not a number') raises")
        continue
    }
    expect(error.msg.contains("invalid literal"), "ErrorResult.msg: \(error.msg)")
    expect(error.tb?.contains("ValueError") == true, "ErrorResult.tb is the traceback")
}
expect(raised.failures().count == 2, "failures() names both hosts")

let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chop-consumer-\(getpid())").path
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }
try Data("hello\n".utf8).write(to: URL(fileURLWithPath: "\(folder)/hello.txt"))
let put = await group.put("\(folder)/hello.txt", "\(folder)/{host}.txt")
expect(put.failures().isEmpty, "put: \(put.failures().map { "\($0.host): \($0.error?.msg ?? "")" })")
let fetched = await group.fetch("\(folder)/worker.txt", to: "\(folder)/back-{host}.txt")
expect(fetched.successful().map(\.value.size) == [6, 6], "fetch brings back what put wrote")

await fleet.close()
if surprises.isEmpty {
    print("consumer: Chopsticks' public API behaves as chopsticks' (call, put, fetch, results, errors)")
} else {
    for surprise in surprises { print("consumer: unexpected: \(surprise)") }
    exit(1)
}
