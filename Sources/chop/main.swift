import ChopShell
import Chopsticks
import Foundation

let t = Tunnel(try Local("local"))
let size = Int(CommandLine.arguments[1])!
FileManager.default.createFile(atPath: "/tmp/chopbig", contents: Data(repeating: 7, count: size))
let start = Date()
do {
    let r = try await t.put("/tmp/chopbig", "/tmp/chopbig2")
    print(r, Date().timeIntervalSince(start))
    let f = try await t.fetch("/tmp/chopbig2", to: "/tmp/chopbig3")
    print(f, Date().timeIntervalSince(start))
} catch { print("error", error) }
await t.close()
