import Chopsticks
import Foundation

/// The members as the front end sees them: the one it starts with, a snapshot for `hosts` and completion, and
/// the prompt. Adding members is `MemberDirectory`'s work; connecting, `ConnectCommand`'s.
extension Session {
    /// The member an interactive session starts with when no host is given: this machine, as `local`. It
    /// leaves the group as soon as the user adds any other member, so a fleet-wide command never reaches the
    /// user's own machine by surprise.
    /// - Parameter announced: say so when it leaves (interactive sessions); a script that adds its hosts
    ///   expects the local member to go, so batch mode leaves it quietly.
    /// - Parameter connectNow: connect it at once (interactive: ready by the first command); a script connects
    ///   it on first use, so one that adds its hosts first starts no local agent beside their ssh.
    public func addImplicitLocal(announced: Bool = true, connectNow: Bool = true) async {
        let added = try? await MemberDirectory.addLocal(
            ["local"], python: nil, quietly: true, connect: connectNow, in: self)
        guard added != nil else { return }
        implicitMember = "local"
        implicitLeaveAnnounced = announced
    }

    /// A snapshot of every member for `hosts`, the prompt and completion.
    public func members() async -> [MemberInfo] {
        var result: [MemberInfo] = []
        for tunnel in group.tunnels {
            let state = tunnel.state
            let version = await tunnel.pythonVersion
            let interpreter = await tunnel.interpreter
            await facts.harvest(from: [tunnel])
            let down = state.isFailed
            var kind = tunnel.kind.kindName
            if let docker = tunnel.kind as? Docker { kind += " \(docker.image)" }
            if let ssh = tunnel.kind as? SSH, !ssh.via.isEmpty { kind += " via \(ssh.via.joined(separator: ","))" }
            if let leaf = tunnel.kind as? GatewayLeaf { kind += " via \(leaf.gateway.name)" }
            var word = MemberState.word(state)
            if state == .up, let note = await tunnel.connectNote { word += " (\(note))" }
            result.append(
                MemberInfo(
                    name: tunnel.name, kind: kind, state: word,
                    python: version.map { v in interpreter.map { "\(v) \($0)" } ?? v }, rtt: await tunnel.lastRTT,
                    lastError: await tunnel.lastError, down: down, printsOnLogin: tunnel.stderr.printsOnLogin))
        }
        return result
    }

    /// The prompt: `chop 12 hosts (1 down)> `, with the `use` target when one is set.
    public func prompt() async -> String {
        let infos = await members()
        var text = "chop"
        if let useTarget { text += " @\(useTarget)" }
        text += directoryPrompt() + " " + counted(infos.count, "host")
        // Each failed state on its own: "unknown key" asks for `trust`, "down" for a look at `log`.
        var failed: [String: Int] = [:]
        for info in infos where info.down { failed[info.state, default: 0] += 1 }
        let order = ["down", "unknown key", "KEY CHANGED", "needs password"]
        let parts = order.compactMap { word in failed[word].map { "\($0) \(word)" } }
        if !parts.isEmpty { text += " (\(parts.joined(separator: ", ")))" }
        return text + "> "
    }

    /// `:/srv` when every member is in the same directory after a `cd`, `:(3 dirs)` when they differ, nothing
    /// while no member changed directory.
    func directoryPrompt() -> String {
        let directories = group.tunnels.map(\.directory)
        guard directories.contains(where: { $0 != nil }) else { return "" }
        let distinct = Set(directories.map { $0 ?? "" })
        // A directory is host text: its escape sequences are shown, never sent to the terminal.
        if distinct.count == 1, let only = directories.first ?? nil { return ":" + TerminalText.sanitize(only) }
        return ":(\(distinct.count) dirs)"
    }

}
