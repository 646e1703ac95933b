import Chopsticks
import Foundation

/// Members joining the group, for every `add` command and the implicit `local`: all or nothing, the implicit
/// member making way, the sudo password and shipped code handed on, and the background connector that starts
/// them. Each `add` command makes its own kind of tunnel and calls `add`; the session keeps the group.
enum MemberDirectory {
    /// Adds all or nothing: a duplicate name refuses the whole line, so a typo never half-applies. The
    /// implicit `local` member leaves first, so its name is free and a fleet command cannot reach it.
    /// `shown`: the members as the message names them (default: their names folded).
    /// `connect: false` leaves the members to connect on first use.
    static func add(
        _ tunnels: [Tunnel], quietly: Bool = false, shown: String? = nil, connect: Bool = true,
        in session: isolated Session
    ) async throws -> CommandResult {
        if let implicit = session.implicitMember, let member = session.group[implicit] {
            session.implicitMember = nil
            session.group.remove([implicit])
            for (key, members) in session.sets { session.sets[key] = members.filter { $0 != implicit } }
            await member.close()
            if session.implicitLeaveAnnounced {
                session.io.error("\(implicit) (this machine) left the group; add local to keep it")
            }
        }
        var names = Set(session.group.names)
        for tunnel in tunnels where tunnel.kind.usesSudo {
            await tunnel.setPassword(session.sudoPassword)
        }
        for tunnel in tunnels where !session.shippedRoots.isEmpty { tunnel.addShipped(session.shippedRoots) }
        for tunnel in tunnels {
            guard names.insert(tunnel.name).inserted else {
                throw ShellError("'\(tunnel.name)' is already a member; 'remove \(tunnel.name)' first to replace it")
            }
        }
        var grown = session.group
        for tunnel in tunnels { try grown.add(tunnel) }
        session.group = grown
        // A dry run touches no host: members are added, and connect when the dry run ends and an operation runs.
        if connect, session.connectsOnAdd, !session.settings.dryRun { connectInBackground(tunnels, in: session) }
        if !quietly {
            session.io.error(
                "added \(counted(tunnels.count, "member")): \(shown ?? NodeSet.fold(tunnels.map(\.name)))")
        }
        return .ok
    }

    /// Local members, one per name (`w[1-4]` is four); no name: `local`, or `local2`… when that is taken. For
    /// `add local` and the member an interactive session starts with.
    static func addLocal(
        _ specs: [String], python: String?, gateway: String? = nil, quietly: Bool = false, connect: Bool = true,
        in session: isolated Session
    ) async throws -> CommandResult {
        var names: [String] = []
        for spec in specs {
            do {
                names += try NodeSet.expand(spec)
            } catch {
                throw ShellError("bad name list '\(spec)': \(error)")
            }
        }
        if let implicit = session.implicitMember, names.isEmpty || names == [implicit] {
            session.implicitMember = nil
            session.io.error("\(implicit) (this machine) stays in the group as an explicit member")
            return .ok
        }
        if names.isEmpty { names = [uniqueName("local", in: session)] }
        let settings = session.settings
        let tunnels = try names.map {
            Tunnel(try Local($0, python: python ?? settings.python), connectTimeout: settings.connectTimeout)
        }
        return try await add(
            try behindGateways(tunnels, gateways: tunnels.map { _ in gateway }, in: session), quietly: quietly,
            shown: specs.isEmpty ? nil : try? NodeSet.fold(pattern: specs.joined(separator: ",")), connect: connect,
            in: session)
    }

    /// `base` when no member has that name, else `base2`, `base3`…
    static func uniqueName(_ base: String, in session: isolated Session) -> String {
        if session.group[base] == nil { return base }
        var index = 2
        while session.group["\(base)\(index)"] != nil { index += 1 }
        return "\(base)\(index)"
    }

    /// Starts connecting new members at once, in the background: `hosts` shows the progress, and operations wait
    /// for a connection already under way. One connector serves the whole session, at most `fanout` members at a
    /// time however many `add` lines come: a script of a thousand `add local` lines once started a thousand
    /// agents together, and they starved each other past the connect timeout.
    private static func connectInBackground(_ tunnels: [Tunnel], in session: isolated Session) {
        session.connectBacklog += tunnels
        guard !session.connectorRunning else { return }
        session.connectorRunning = true
        session.background { [weak session] in
            while let session, let batch = await nextConnectBatch(in: session) {
                _ = await batch.connect()
                await session.facts.harvest(from: batch.tunnels)
            }
        }
    }

    /// The members waiting to connect, as a group with the session's fan-out; nil (and the connector stops)
    /// when there are none or the session is closing.
    private static func nextConnectBatch(in session: isolated Session) -> Group? {
        let tunnels = session.connectBacklog
        session.connectBacklog = []
        guard !tunnels.isEmpty, !Task.isCancelled, var batch = try? Group(tunnels) else {
            session.connectorRunning = false
            return nil
        }
        batch.fanout = session.settings.fanout
        return batch
    }
}
