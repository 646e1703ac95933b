/// The texts of `help`, and the usage lines that parse errors quote.
///
/// Kept next to the parser so one table answers both "what does this command do" and "how do I type it", and so
/// an error message can never show a usage line that disagrees with the help. Every line fits in 100 columns.
public enum CommandHelp {
    /// One form of a command as it appears in the summary.
    private struct Form {
        /// The key `usage(_:)` answers to: a command word, or `add local` and the like.
        let key: String
        let usage: String
        let summary: String
    }

    /// A help topic: one or more forms, a longer explanation and examples.
    private struct Topic {
        /// Words `help(for:)` accepts for this topic; the first is the canonical one.
        let names: [String]
        let forms: [Form]
        let details: [String]
        let examples: [String]
    }

    /// Topics that are not commands, for `help TOPIC` and its typo suggestions.
    static let extraTopics = ["targets", "keys"]

    /// Every command, one line each: usage, then what it does; then targeting and keys in brief.
    public static func summary() -> String {
        var lines = ["Commands (help COMMAND for details):"]
        lines += formLines(topics.flatMap(\.forms))
        lines += [
            "",
            "Aim one operation at some hosts with @TARGET: @web[1-3] run uptime, @failed run …  (help targets)",
            "Operations: " + CommandParser.operationNames.joined(separator: " "),
            "Keys: Tab completes, Ctrl-C interrupts, Ctrl-D quits  (help keys)",
        ]
        return lines.joined(separator: "\n")
    }

    /// The full help for a command or topic (`targets`, `keys`, `@`, `!`), or nil when there is none.
    public static func help(for command: String) -> String? {
        guard let topic = topic(named: command) else { return nil }
        var lines: [String] = []
        if topic.forms.isEmpty {
            lines += topic.details
        } else {
            if let form = topic.forms.first, topic.forms.count == 1 {
                lines += ["usage: " + form.usage, "", sentence(form.summary)]
            } else {
                lines.append("usage:")
                lines += formLines(topic.forms)
                lines.append("")
            }
            lines += topic.details
        }
        if !topic.examples.isEmpty {
            lines.append("")
            lines.append("Examples:")
            lines += topic.examples.map { "  " + $0 }
        }
        return lines.joined(separator: "\n")
    }

    /// The usage line of a command (`put LOCAL [REMOTE] [--mode MODE]`), or of one form of `add` when given as
    /// `add local`, `add sudo`, `add docker` or `add container`. An unknown name is returned as it is.
    public static func usage(_ command: String) -> String {
        for topic in topics {
            if let form = topic.forms.first(where: { $0.key == command }) {
                return form.usage
            }
        }
        if let topic = topic(named: command), let form = topic.forms.first {
            return form.usage
        }
        return command
    }

    /// Usage and summary side by side; a usage too long for the column gets its summary on the next line,
    /// so every line fits in 100 columns.
    private static func formLines(_ forms: [Form]) -> [String] {
        let limit = 36
        let width = forms.map(\.usage.count).filter { $0 <= limit }.max() ?? limit
        var lines: [String] = []
        for form in forms {
            if form.usage.count <= width {
                lines.append("  \(form.usage.padded(to: width))  \(form.summary)")
            } else {
                lines.append("  \(form.usage)")
                lines.append("  \("".padded(to: width))  \(form.summary)")
            }
        }
        return lines
    }

    // MARK: - Texts

    private static func topic(named name: String) -> Topic? {
        topics.first { $0.names.contains(name) } ?? extras.first { $0.names.contains(name) }
    }

    private static func sentence(_ summary: String) -> String {
        guard let first = summary.first else { return summary }
        return first.uppercased() + summary.dropFirst() + "."
    }

    private static let topics: [Topic] = [
        Topic(
            names: ["add"],
            forms: [
                Form(
                    key: "add", usage: "add HOST... [--python PATH]",
                    summary: "add SSH hosts: web[01-12], root@db:2222"),
                Form(
                    key: "add local", usage: "add local [NAME] [--python PATH]",
                    summary: "add this machine, without SSH"),
                Form(
                    key: "add sudo", usage: "add sudo [USER] [NAME] [--python PATH]",
                    summary: "add this machine as USER (default root), through sudo -n"),
                Form(
                    key: "add docker", usage: "add docker NAME... [--image IMAGE] [--python PATH]",
                    summary: "start containers from IMAGE (default: set docker-image)"),
                Form(
                    key: "add container", usage: "add container NAME... [--python PATH]",
                    summary: "add Docker containers that are already running"),
            ],
            details: [
                "Hosts are reached with your own ssh, so ~/.ssh/config, keys and ProxyJump apply.",
                "HOST is [USER@]NAME[:PORT]; ranges such as web[01-12] or db[1,3,5-7] add many at once.",
                "--python names the interpreter (every form takes it); otherwise chop finds one (see set python).",
                "The 'local' member chop starts with leaves as soon as you add another; 'add local' keeps it.",
                "Host names cannot start with '-' or '@', nor contain spaces, '*' or '?'.",
            ],
            examples: [
                "add web[01-04] root@db:2222",
                "add legacy1 --python /usr/bin/python3.9",
                "add sudo postgres",
                "add docker test1 test2 --image python:3.12-slim",
            ]),
        Topic(
            names: ["remove"],
            forms: [
                Form(key: "remove", usage: "remove TARGET...", summary: "disconnect hosts and forget them")
            ],
            details: ["TARGET is a name, a range, a glob or a group (help targets); the '@' is optional."],
            examples: ["remove web03", "remove @failed"]),
        Topic(
            names: ["hosts"],
            forms: [
                Form(key: "hosts", usage: "hosts", summary: "list the hosts with their kind and connection state")
            ],
            details: ["With @TARGET, only those hosts are listed."],
            examples: ["hosts", "@web* hosts"]),
        Topic(
            names: ["connect"],
            forms: [
                Form(key: "connect", usage: "connect [TARGET...]", summary: "connect now rather than at first use")
            ],
            details: ["Without TARGET: the @TARGET of the line, or else the current target (see use)."],
            examples: ["connect", "connect db*"]),
        Topic(
            names: ["disconnect"],
            forms: [
                Form(
                    key: "disconnect", usage: "disconnect [TARGET...]",
                    summary: "close connections but keep the hosts")
            ],
            details: ["Without TARGET: the @TARGET of the line, or else the current target (see use)."],
            examples: ["disconnect web[1-4]"]),
        Topic(
            names: ["reconnect"],
            forms: [
                Form(key: "reconnect", usage: "reconnect [TARGET...]", summary: "close connections and connect again")
            ],
            details: ["Without TARGET: the @TARGET of the line, or else the current target (see use)."],
            examples: ["reconnect", "@failed reconnect"]),
        Topic(
            names: ["run"],
            forms: [
                Form(key: "run", usage: "run COMMAND", summary: "run a shell command on each host, with /bin/sh -c")
            ],
            details: [
                "COMMAND is passed exactly as typed: quotes, pipes and $VARIABLES are for the remote shell.",
                "A host fails when the command exits with a status other than 0.",
            ],
            examples: [
                "run uptime",
                "@web[1-3] run systemctl restart nginx",
                #"run grep -c "^processor" /proc/cpuinfo | tr -d '\n'"#,
            ]),
        Topic(
            names: ["call"],
            forms: [
                Form(
                    key: "call", usage: "call FUNCTION [ARG...] [KEY=VALUE...]",
                    summary: "call a Python function on each host, show what it returns")
            ],
            details: [
                "FUNCTION is a dotted name that chop imports on the host: os.getloadavg, shutil.disk_usage.",
                "Each argument is read on the host as a Python literal (ast.literal_eval), so values are exact:",
                "5, 2.5, 1180591620717411303424, True, None, b'raw', '(1, 2)', \"{'a': 1}\", JSON '[1, null]'.",
                "Any other word is a string: /etc/hosts needs no quotes. To pass the string 5, write \"'5'\".",
                "Quote lists and dicts that contain spaces. KEY=VALUE passes a keyword argument.",
            ],
            examples: [
                "call os.getloadavg",
                "call shutil.disk_usage /var",
                "call subprocess.check_output '[\"id\", \"-u\"]' text=True",
            ]),
        Topic(
            names: ["py"],
            forms: [
                Form(key: "py", usage: "py CODE", summary: "run Python statements on each host")
            ],
            details: [
                "CODE is passed exactly as typed. Each host keeps its own namespace until it disconnects,",
                "so names defined by one py line can be used by the next. The last expression is shown.",
            ],
            examples: ["py import os", "py os.getpid()", "py [l for l in open('/etc/hosts') if 'db' in l]"]),
        Topic(
            names: ["facts"],
            forms: [
                Form(
                    key: "facts", usage: "facts [NAME...]",
                    summary: "gather facts: os, memory, disk, … (all by default)")
            ],
            details: [
                "Names: hostname fqdn ip os kernel arch python_version uptime loadavg cpus memory disk."
            ],
            examples: ["facts", "@db* facts os memory"]),
        Topic(
            names: ["put"],
            forms: [
                Form(key: "put", usage: "put LOCAL [REMOTE] [--mode MODE]", summary: "copy a local file to each host")
            ],
            details: [
                "The file is written under a temporary name, checked by SHA-1, then renamed into place.",
                "Without REMOTE, each host gets a temporary file. MODE is octal (0644 by default).",
            ],
            examples: ["put app.conf /etc/app/app.conf", #"put "my script.sh" /usr/local/bin/job --mode 0755"#]),
        Topic(
            names: ["fetch"],
            forms: [
                Form(
                    key: "fetch", usage: "fetch REMOTE [LOCAL]",
                    summary: "copy a file from each host; LOCAL may contain {host}")
            ],
            details: [
                "With several hosts, LOCAL must contain {host}, which becomes each host's name.",
                "Without LOCAL, each file goes to ./fetched/{host}/NAME (NAME: the remote file's name).",
                "Partial files are removed on failure. The result shows REMOTE (absolute) → LOCAL.",
            ],
            examples: ["fetch /etc/os-release 'logs/{host}-os-release'", "@web1 fetch /var/log/syslog syslog"]),
        Topic(
            names: ["ping"],
            forms: [
                Form(key: "ping", usage: "ping", summary: "check that each agent answers, with round-trip times")
            ],
            details: [],
            examples: ["ping", "@failed ping"]),
        Topic(
            names: ["use"],
            forms: [
                Form(key: "use", usage: "use TARGET", summary: "choose the hosts that operations apply to")
            ],
            details: [
                "Operations without @TARGET apply to the current target, shown in the prompt.",
                "use all goes back to every host. See help targets.",
            ],
            examples: ["use web[01-04]", "use db*", "use all"]),
        Topic(
            names: ["last"],
            forms: [Form(key: "last", usage: "last", summary: "show the last result again")],
            details: [],
            examples: []),
        Topic(
            names: ["failures"],
            forms: [
                Form(key: "failures", usage: "failures", summary: "show the hosts that failed last time, and why")
            ],
            details: ["Follow up with @failed run … or @failed reconnect."],
            examples: []),
        Topic(
            names: ["log"],
            forms: [
                Form(key: "log", usage: "log [TARGET...]", summary: "show what the tunnels wrote on stderr, per host")
            ],
            details: [
                "ssh warnings, sudo messages and the agent's own errors, the last 200 lines of each, as host: line."
            ],
            examples: ["log", "log web03"]),
        Topic(
            names: ["show"],
            forms: [
                Form(key: "show", usage: "show HOST", summary: "show HOST's complete output from the last result")
            ],
            details: [],
            examples: ["show web03"]),
        Topic(
            names: ["diff"],
            forms: [
                Form(
                    key: "diff", usage: "diff HOST [OTHER]",
                    summary: "compare HOST's last output with OTHER's or the most common")
            ],
            details: [],
            examples: ["diff web03", "diff web03 web04"]),
        Topic(
            names: ["set"],
            forms: [
                Form(key: "set", usage: "set [KEY [VALUE]]", summary: "show or change settings (set alone lists them)")
            ],
            details: [
                "  timeout SECONDS|none      time limit of each command on each host",
                "  connect-timeout SECONDS   time limit for connecting to a host (1 to 600)",
                "  fanout N                  how many hosts work at the same time (1 to 10000)",
                "  output table|lines|json   how results are shown",
                "  gather on|off             merge hosts whose output is identical",
                "  color auto|on|off         colored output; auto: only on a terminal",
                "  python PATH|auto          interpreter on hosts added from now on; auto finds one",
                "  docker-image IMAGE        image for add docker without --image",
                "  errexit on|off            stop a script at the first failure",
            ],
            examples: ["set", "set timeout 30", "set output json"]),
        Topic(
            names: ["!"],
            forms: [
                Form(key: "!", usage: "!COMMAND", summary: "run a command on this machine, not on the hosts")
            ],
            details: ["COMMAND is passed exactly as typed to your local /bin/sh."],
            examples: ["!ls -l", "!vi app.conf"]),
        Topic(
            names: ["source"],
            forms: [Form(key: "source", usage: "source FILE", summary: "run chop commands from FILE")],
            details: [
                "One command a line; # starts a comment. With set errexit on, a failure stops the file."
            ],
            examples: ["source deploy.chop"]),
        Topic(
            names: ["record"],
            forms: [
                Form(
                    key: "record", usage: "record FILE | record off",
                    summary: "save the commands you type to FILE, to replay with source")
            ],
            details: [],
            examples: ["record deploy.chop", "record off"]),
        Topic(
            names: ["expect"],
            forms: [
                Form(
                    key: "expect", usage: "expect ok | expect failed HOST...",
                    summary: "check the last result; a script stops when it does not hold")
            ],
            details: [
                "expect ok: no host failed. expect failed HOST...: exactly those hosts failed (ranges allowed)."
            ],
            examples: ["expect ok", "expect failed web[3-4]"]),
        Topic(
            names: ["help"],
            forms: [
                Form(key: "help", usage: "help [COMMAND]", summary: "this list, or details about COMMAND")
            ],
            details: ["Also: help targets, help keys."],
            examples: ["help put", "help targets"]),
        Topic(
            names: ["quit", "exit"],
            forms: [Form(key: "quit", usage: "quit | exit", summary: "leave chop (Ctrl-D at an empty prompt too)")],
            details: ["Connections are closed and throwaway containers removed."],
            examples: []),
    ]

    private static let extras: [Topic] = [
        Topic(
            names: ["targets", "target", "@"],
            forms: [],
            details: [
                "A target selects hosts. Put @TARGET before an operation to aim only that line at them,",
                "or make it the default with use TARGET. Operations that take @TARGET:",
                "  " + CommandParser.operationNames.joined(separator: " "),
                "",
                "  web1             one host, by its name",
                "  web1,db2         several, separated by commas (no spaces)",
                "  web[01-12]       a range; also db[1,3,5-7]",
                "  web*  db?        a glob over the names of hosts already added",
                "  @ok  @failed     the hosts that succeeded or failed in the last result",
                "  @all             every host",
            ],
            examples: [
                "@web[1-3] run uptime", "@web1,db2 facts os", "@failed run systemctl restart app",
                "use db*",
            ]),
        Topic(
            names: ["keys"],
            forms: [],
            details: [
                "  Tab        complete commands, hosts, settings and file names",
                "  Ctrl-C     interrupt the running operation on every host; at the prompt, clear the line",
                "  Ctrl-D     quit, at an empty prompt",
                "  Up, Down   walk through the history",
            ],
            examples: []),
    ]
}

extension String {
    /// The string followed by spaces up to `width` characters; unchanged when it is already that long.
    fileprivate func padded(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
