import Chopsticks
import Foundation

/// `put -r` and `sync`: the tree is walked once, each file read once per wave of hosts (`TreePlan`).
extension Session {
    func putTree(
        _ localPath: String, _ remote: String, options: TreeOptions, target: String?, verb: String
    ) async throws -> CommandResult {
        var options = options
        // A sync's dry run compares for real and touches nothing; put -r's dry run is the usual preview.
        let comparing = verb == "sync"
        if comparing && settings.dryRun { options.dryRun = true }
        let names = try resolve(target)
        if !(settings.dryRun && !comparing) {  // not a preview: the first hosts connect while the tree is read
            let first = (currentRollout ?? Rollout()).over(defaults: settings).waves(names).first ?? []
            var members = group.subset(first)
            members.fanout = rolling ? 1 : settings.fanout
            members.preconnect()
        }
        let plan: TreePlan
        do {
            plan = try await TreePlan.prepare(
                localPath, remote, options: options, hosts: names, fanout: rolling ? 1 : settings.fanout)
        } catch let error as ErrorResult {
            throw ShellError(error.msg)
        }
        let count = plan.tree.entries.count { $0.kind == .file }
        let bytes = plan.tree.entries.reduce(0) { $0 + ($1.kind == .file ? $1.size : 0) }
        let preview: (String) -> String = { host in
            "\(verb) \(localPath) (\(counted(count, "file")), \(HostOutcome.size(bytes))) → "
                + HostTemplate.path(remote, host: host)
        }
        let everyFile = options.everyFile
        return try await operate(
            verb, target: target, names: names, plan: preview, previewOnDryRun: !comparing,
            { try await plan.put(on: $0) }, describe: { HostOutcome.tree($0, $1, copiesEveryFile: everyFile) })
    }
}
