import Chopsticks

/// `cd [DIR]`: a working directory on each host of the target, for every later command there.
public struct CdCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "cd",
        helpOrder: 160,
        synopsis: "cd [DIR]",
        summary: "change the working directory on each host",
        takesTarget: true,
        help: """
            Each host's agent enters DIR (~ is that host's home; a relative DIR starts from its current
            directory), so run and script commands start there, relative put and fetch paths start
            there and py's os.getcwd() is it. A host where DIR is missing or cannot be entered is an
            error row with the reason and keeps its directory. cd alone goes home. A reconnected
            host enters its directory again. pwd shows each host's; the prompt shows it when all
            members agree, else how many directories there are.

            Examples:
              cd /srv/app
              @web* cd /var/log
              cd ..
              cd
            """)

    /// Nil: the home directory.
    public var directory: String?

    public init(directory: String?) { self.directory = directory }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> CdCommand {
        let words = try arguments.positional(hint: "; write ./-name for a directory whose name starts with '-'")
        guard words.count <= 1 else { throw arguments.error("cd takes one directory") }
        guard let directory = words.first else { return CdCommand(directory: nil) }
        guard !directory.isEmpty else { throw arguments.error("cd needs a directory name, or nothing to go home") }
        return CdCommand(directory: directory)
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.position == 1 ? context.remotePaths() : []
    }

    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        let directory = self.directory
        return try await session.operate(
            "cd", target: target, plan: { _ in "cd \(directory ?? "~")" },
            { try await $0.changeDirectory(to: directory) }, describe: HostOutcome.directory)
    }
}
