/// One line typed at the chop prompt (or read from a script), parsed but not yet executed.
///
/// Parsing is kept apart from execution so that every syntax mistake is reported before anything touches a host,
/// and so the grammar can be tested without a fleet.
public struct ParsedLine: Sendable, Equatable {
    /// The text after a leading `@` (`@web[1-3] run uptime` → `web[1-3]`), kept raw for the session to resolve;
    /// nil when the line has no target and the operation applies to the current target (see `use`).
    public var target: String?
    /// What to do.
    public var command: ShellCommand

    public init(target: String? = nil, command: ShellCommand) {
        self.target = target
        self.command = command
    }
}

/// A chop command with its arguments checked and converted, but host patterns not yet resolved.
///
/// Host patterns and target words are kept as typed because only the session knows which hosts exist: the
/// session expands ranges, matches globs and resolves the groups `all`, `ok` and `failed`. In target words
/// (`use`, `remove`, `connect`, `disconnect`, `reconnect`) one leading `@` is dropped, so `use @failed` and
/// `use failed` mean the same, just as the `@failed` prefix gives the target `failed`.
public enum ShellCommand: Sendable, Equatable {
    /// `add HOST... [--python PATH]`: SSH hosts such as `web[1-3]` or `user@db:2222`; each item is checked for
    /// characters that could never be a host, but ranges are left for the session to expand.
    case add(hosts: [String], python: String?)
    /// `add local [NAME] [--python PATH]`: this machine, without SSH.
    case addLocal(name: String?, python: String?)
    /// `add sudo [USER] [NAME] [--python PATH]`: this machine as another user through `sudo -n`.
    case addSudo(user: String?, name: String?, python: String?)
    /// `add docker NAME... [--image IMAGE] [--python PATH]`: new containers started from an image (default:
    /// `set docker-image`).
    case addDocker(names: [String], image: String?, python: String?)
    /// `add container NAME... [--python PATH]`: containers that are already running.
    case addContainer(names: [String], python: String?)
    /// `remove TARGET...`: names, globs (`web*`), ranges or groups (`failed`), without a leading `@`.
    case remove([String])
    /// `hosts`: list the hosts and their state.
    case hosts
    /// `connect [TARGET...]`; an empty list means the line's `@TARGET` or the current target.
    case connect([String])
    /// `disconnect [TARGET...]`; an empty list means the line's `@TARGET` or the current target.
    case disconnect([String])
    /// `reconnect [TARGET...]`; an empty list means the line's `@TARGET` or the current target.
    case reconnect([String])
    /// `run COMMAND`: the rest of the line exactly as typed, because it goes to `/bin/sh -c` on each host and
    /// its quoting belongs to that shell, not to chop.
    case run(String)
    /// `call FUNCTION [ARG...] [KEY=VALUE...]`: a Python function by dotted name. Arguments are kept as typed
    /// (after shell-style unquoting): the agent reads each one as a Python literal with `ast.literal_eval`, so
    /// big integers, bytes and tuples arrive exactly, and a word that is no literal (`/etc/hosts`) is a string.
    case call(function: String, args: [String], kwargs: [String: String])
    /// `py CODE`: Python statements exactly as typed, for the same reason as `run`.
    case py(String)
    /// `facts [NAME...]`; an empty list asks for every fact.
    case facts([String])
    /// `put LOCAL [REMOTE] [--mode MODE]`; `mode` is the permission bits (`0755` → 493), nil for the default.
    case put(local: String, remote: String?, mode: Int?)
    /// `fetch REMOTE [LOCAL]`; the local template may contain `{host}`.
    case fetch(remote: String, localTemplate: String?)
    /// `ping`: round trip to each agent.
    case ping
    /// `use TARGET`: the default target for later operations; `use all` gives `.use("all")`.
    case use(String)
    /// `last`: show the last result again.
    case last
    /// `failures`: show the failed hosts of the last result.
    case failures
    /// `log [TARGET...]`: what the tunnels themselves wrote on stderr (ssh warnings, agent messages), per host.
    case log([String])
    /// `show HOST`: one host's complete output from the last result.
    case show(String)
    /// `diff HOST [OTHER]`: compare one host's last output with another's.
    case diff(String, String?)
    /// `set [KEY [VALUE]]`: nil key lists every setting, nil value shows one; keys and values are validated
    /// (see `CommandParser.settingKeys`).
    case set(key: String?, value: String?)
    /// `!COMMAND`: the rest of the line exactly as typed, run by the local shell.
    case local(String)
    /// `source FILE`: run chop commands from a file.
    case source(String)
    /// `record FILE` starts recording; `record off` gives nil and stops it.
    case record(String?)
    /// `expect ok` or `expect failed HOST...`: an assertion about the last result, for scripts.
    case expect(ExpectCondition)
    /// `help [TOPIC]`; the topic is known to `CommandHelp.help(for:)`.
    case help(String?)
    /// `quit` or `exit`.
    case quit
}

/// What `expect` asserts about the last result.
public enum ExpectCondition: Sendable, Equatable {
    /// Every host succeeded.
    case ok
    /// The named hosts failed; the words are kept raw (they may be ranges or lists) for the session to expand.
    case failed([String])
}
