import Chopsticks
import Foundation

/// Scripts: running a whole script (`source`, batch mode), and the lines `record` starts a recording with.
extension Session {
    /// Runs a script's commands in this session. A syntax error stops it with `FILE:LINE: message`;
    /// with `errexit` on, so does the first command where a host failed.
    ///
    /// The text is split once, by `CommandLineSplitter.numberedCommands`: quotes may span lines, `\` joins
    /// lines, `#` starts a comment. `semicolons` also splits at `;` (for `-c`).
    /// - Parameters:
    ///   - echo: print each command before its result (`chop> run uptime`), as batch mode does.
    ///   - firstLine: the line number of the text's first line in its file (for stdin read in pieces).
    public func runScript(
        _ text: String, name: String, echo: Bool = false, semicolons: Bool = false, firstLine: Int = 1,
        onError: ScriptErrorPolicy = .stop
    ) async -> CommandResult {
        let commands: [CommandLineSplitter.NumberedCommand]
        do {
            commands = try CommandLineSplitter.numberedCommands(text, semicolons: semicolons)
        } catch {
            io.error("\(name):\(error.line + firstLine - 1): \(error.message)")
            return .error
        }
        var worst = CommandResult.ok
        for command in commands {
            let lineNumber = command.line + firstLine - 1
            let line = command.text
            // Syntax is checked here first so the error names the file and line.
            do {
                if try CommandParser.parse(line) == nil { continue }  // blank or comment
            } catch {
                io.error("\(name):\(lineNumber): \(error.message)")
                if onError == .skip { continue }
                return .error
            }
            // With --json, stdout holds JSON objects only: the echo is for the person watching stderr.
            if echo { say("chop> \(line)") }
            let result = await execute(line)
            switch result {
            case .quit: return .quit
            case .error where onError == .skip:
                io.error("\(name):\(lineNumber): skipped; the rest of the file still runs")
            case .error:
                io.error("\(name):\(lineNumber): stopped here")
                return .error
            case .hostsFailed:
                worst = .hostsFailed
                if settings.errexit {
                    io.error("\(name):\(lineNumber): stopped (errexit): some hosts failed")
                    return .hostsFailed
                }
            case .ok: break
            }
            if Task.isCancelled { return worst }
        }
        return worst
    }

    /// `add` lines that rebuild the current group, so a recorded script is self-contained.
    func addLines() -> [String] {
        group.tunnels.map { tunnel in
            let kind = tunnel.kind
            let python = kind.python.map { " --python \(CommandLineSplitter.quote($0))" } ?? ""
            switch kind {
            case let ssh as SSH:
                let sudo = ssh.sudo ? " --sudo \(CommandLineSplitter.quote(ssh.sudoUser))" : ""
                return "add \(CommandLineSplitter.quote(ssh.name))\(python)\(sudo)"
            case let local as Local: return "add local \(CommandLineSplitter.quote(local.name))\(python)"
            case let sudo as Sudo:
                return
                    "add sudo \(CommandLineSplitter.quote(sudo.user)) \(CommandLineSplitter.quote(sudo.name))\(python)"
            case let docker as Docker:
                let image = CommandLineSplitter.quote(docker.image)
                return "add docker \(CommandLineSplitter.quote(docker.name)) --image \(image)\(python)"
            case let container as DockerExec:
                return "add container \(CommandLineSplitter.quote(container.container))\(python)"
            default: return "# \(tunnel.name): a \(kind.kindName) member cannot be re-created by a script"
            }
        }
    }
}

extension Session {
    /// `import` lines for the code shipped so far.
    func importLines() -> [String] {
        shippedRoots.isEmpty
            ? [] : ["import " + shippedRoots.map { CommandLineSplitter.quote($0.path) }.joined(separator: " ")]
    }

    /// `cd` lines that put each member back in its directory, one per directory.
    func directoryLines() -> [String] {
        var hosts: [String: [String]] = [:]
        for tunnel in group.tunnels {
            if let directory = tunnel.directory { hosts[directory, default: []].append(tunnel.name) }
        }
        return hosts.keys.sorted().map { "@\(NodeSet.fold(hosts[$0]!)) cd \(CommandLineSplitter.quote($0))" }
    }

    /// `env` lines for the session environment; a secret is a note, its value left out.
    func environmentLines() -> [String] {
        environment.values.keys.sorted().map { name in
            let value = environment.values[name]!
            let line = "env \(name)=" + CommandLineSplitter.quote(SessionEnvironment.shown(name, value))
            return SessionEnvironment.isSecret(name) ? "# \(line)  # \(Self.secretNote)" : line
        }
    }

    /// `name` lines for the named sets, with their hosts as fixed when they were named.
    func nameLines() -> [String] {
        namedSets.map { "name \($0.name) \(NodeSet.fold($0.hosts))" }
    }
}
