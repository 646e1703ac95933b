import Chopsticks
import Foundation

/// A local folder put on the hosts: the work of `put -r` and `sync`. The tree is walked once (its listing kept
/// in a temporary file, not in memory), and each file read once per wave of hosts (`TreePlan`); the first hosts
/// connect while the tree is read.
///
/// The two commands differ in their options and in what a dry run means: a sync's compares for real and
/// touches nothing, put -r's is the usual preview.
struct TreeTransfer {
    var localPath: String
    var remote: String
    var options: TreeOptions
    /// `put` or `sync`: the word in previews and the result's command.
    var verb: String

    func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        var options = options
        let comparing = verb == "sync"
        if comparing && session.settings.dryRun { options.dryRun = true }
        let names = try session.resolve(target)
        let fanout = session.rolling ? 1 : session.settings.fanout
        if !(session.settings.dryRun && !comparing) {  // not a preview: the first hosts connect while the tree is read
            let first = (session.currentRollout ?? Rollout()).over(defaults: session.settings).waves(names).first ?? []
            var members = session.group.subset(first)
            members.fanout = fanout
            members.preconnect()
        }
        let plan: TreePlan
        do {
            plan = try await TreePlan.prepare(localPath, remote, options: options, hosts: names, fanout: fanout)
        } catch let error as ErrorResult {
            throw ShellError(error.msg)
        }
        let (verb, localPath, remote) = (self.verb, self.localPath, self.remote)
        let summary = "\(counted(plan.tree.fileCount, "file")), \(HostOutcome.size(plan.tree.byteCount))"
        let preview: (String) -> String = { host in
            "\(verb) \(localPath) (\(summary)) → " + HostTemplate.path(remote, host: host)
        }
        let everyFile = options.everyFile
        return try await session.operate(
            verb, target: target, names: names, plan: preview, previewOnDryRun: !comparing,
            { try await plan.put(on: $0) }, describe: { HostOutcome.tree($0, $1, copiesEveryFile: everyFile) })
    }
}
