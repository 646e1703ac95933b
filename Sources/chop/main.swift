import ChopShell
import Chopsticks
import Foundation

let group = try Group([Tunnel(try Local("local")), Tunnel(try Local("l2"))])
let r = await group.run(CommandLine.arguments.dropFirst().joined(separator: " "))
for e in r { print(e.host, e.result) }
let f = await group.facts()
for e in f { print(e.host, e.result) }
await group.close()
