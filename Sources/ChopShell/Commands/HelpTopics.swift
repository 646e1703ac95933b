/// Help topics that are not commands: targets and keys.
enum HelpTopics {
    struct Topic {
        let names: [String]
        let details: [String]
        let examples: [String]
    }

    static func text(for name: String) -> Topic? {
        all.first { $0.names.contains(name) }
    }

    static let all: [Topic] = [
        Topic(
            names: ["targets", "target", "@"],
            details: [
                "A target selects hosts. Put @TARGET before an operation to aim only that line at them,",
                "or make it the default with use TARGET. Operations that take @TARGET:",
            ] + CommandHelp.wrapped(" ", CommandRegistry.operationNames) + [
                "",
                "  web1             one host, by its name",
                "  web1,db2         several, separated by commas (no spaces)",
                "  web[01-12]       a range; also db[1,3,5-7]",
                "  web*  db?        a glob over the names of hosts already added",
                "  @ok  @failed     the hosts that succeeded or failed in the last result",
                "  @match @nomatch  the hosts where the last where's expression was true, or false",
                "  @%3.ok           a set of result %3: also .failed, .outliers, .match, .nomatch",
                "  @all             every host",
                "  @up  @down       the hosts by their state in 'hosts'; also @unknown-key, @key-changed",
                "                   and @needs-password (see trust and password)",
                "  @NAME            a set kept with 'name NAME TARGET' ('names' lists them)",
                "",
                "Operators combine them, left to right (ClusterShell's node-set operators):",
                "  a,b  union    a&b  intersection    a!b  difference    a^b  in exactly one",
                "e.g. @web*&@ok   @all!@failed   @db[1-3],web1^@%2.failed",
                "",
                "Node sets read and fold as ClusterShell's nodeset does (n0[1-9] is n[01-09], n[-5-5] folds",
                "as itself, 0[7-10] is refused), except that in chop:",
                "  members keep the order they were added in (nodeset sorts them)",
                "  a[1-2]b[3-4] multiplies in the order written: a1b3 a1b4 a2b3 a2b4",
                "  one pattern makes at most 100,000 names, of numbers up to 18 digits",
                "  a name given twice is one host (nodeset can print n-1,n[-1] as n-1,n-1)",
            ],
            examples: [
                "@web[1-3] run uptime", "@web1,db2 facts os", "@failed run systemctl restart app",
                "use db*", "@down reconnect", "@web*&@ok run uptime", "@all!@failed ping", "@match run nginx -t",
            ]),
        Topic(
            names: ["keys"],
            details: [
                "  Tab        complete commands, hosts, settings and file names",
                "  Ctrl-C     interrupt the running operation on every host; at the prompt, clear the line",
                "  Ctrl-D     quit, at an empty prompt",
                "  Up, Down   walk through the history",
            ],
            examples: []),
    ]
}
