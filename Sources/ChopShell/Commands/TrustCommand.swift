/// `trust [TARGET] [--yes] [--fingerprint SHA256:…]…` and `trust --replace HOST`: add hosts' keys to
/// known_hosts after the user has seen their fingerprints, then reconnect those hosts.
public struct TrustCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "trust",
        helpOrder: 80,
        synopsis: "trust [TARGET]",
        summary: "check hosts' keys and add them to known_hosts",
        takesTarget: true,
        options: [
            .flag("--yes", short: "-y", "add the keys without asking"),
            .value(
                "--fingerprint", "SHA256:…", repeatable: true, example: "SHA256:…",
                "add only keys with this fingerprint, without asking"),
            .value("--replace", "HOST", "replace HOST's changed key (one host, nothing else)"),
        ],
        help: """
            For each host (default: the members in state 'unknown key'), ssh -G says where ssh really goes
            (HostName, Port, HostKeyAlias) and which known_hosts file is yours; ssh-keyscan fetches the keys
            the host offers there. The fingerprints are shown grouped by key: one key on several hosts is
            flagged (cloned images share host keys). chop asks once for the whole batch; in scripts give
            --yes, or pin keys with --fingerprint (only matching keys are added, and no question is asked).
            Keys go to the first UserKnownHostsFile, hashed when HashKnownHosts is yes, under the
            HostKeyAlias when one is set; then those hosts reconnect.
            trust never replaces a key that changed. 'trust --replace HOST' does, one host at a time: it
            shows the old and the new fingerprint, asks (or needs --yes), and removes the old entry with
            ssh-keygen -R. Without a terminal and without --yes, nothing is written.

            Examples:
              trust
              trust web[1-4] --yes
              trust db1 --fingerprint SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s
              trust --replace web2
            """)

    /// Hosts to trust; nil: the line's `@TARGET`, else `@unknown-key`.
    public var target: String?
    public var yes: Bool
    /// Fingerprints (`SHA256:…`) the keys must match.
    public var fingerprints: [String]
    /// The one host whose changed key is replaced.
    public var replace: String?

    public init(target: String? = nil, yes: Bool = false, fingerprints: [String] = [], replace: String? = nil) {
        self.target = target
        self.yes = yes
        self.fingerprints = fingerprints
        self.replace = replace
    }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> TrustCommand {
        let (positional, options) = try arguments.options(hint: CommandArguments.nameHint)
        var command = TrustCommand(yes: options.has("--yes"), replace: options.value("--replace"))
        if let host = command.replace { try arguments.checkName(host) }
        for value in options.values("--fingerprint") {
            guard value.hasPrefix("SHA256:"), value.count > 7, !value.contains(where: \.isWhitespace) else {
                throw arguments.error("'\(value)' is not a fingerprint; they read SHA256:… as ssh prints them")
            }
            command.fingerprints.append(value)
        }
        if command.replace != nil {
            guard positional.isEmpty, arguments.target == nil else {
                throw arguments.error("--replace works on one host at a time: trust --replace HOST")
            }
            return command
        }
        guard positional.count <= 1 else { throw arguments.error("give one target, e.g. trust web[1-4]") }
        if let word = positional.first {
            guard arguments.target == nil else {
                throw arguments.error("give the hosts either as '@\(arguments.target!)' or after trust, not both")
            }
            command.target = word.hasPrefix("@") ? String(word.dropFirst()) : word
        }
        return command
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.targetWords()
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        if let replace {
            return try await HostKeyBroker.replace(replace, yes: yes, fingerprints: fingerprints, in: session)
        }
        return try await HostKeyBroker.trust(self.target ?? target, yes: yes, fingerprints: fingerprints, in: session)
    }
}
