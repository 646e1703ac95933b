import Chopsticks

/// `import PATH_OR_MODULE...` and `import --reload NAME...`: the user's own Python code, importable on every
/// host (chopsticks' import hook).
public struct ImportCommand: ChopCommand, Equatable {
    public static let declaration = CommandDeclaration(
        name: "import",
        helpOrder: 130,
        synopsis: "import PATH_OR_MODULE...",
        summary: "make local Python code importable on every host",
        options: [.flag("--reload", "send changed modules again and reload them (NAME...: module names)")],
        help: """
            Each argument is a .py file, a package directory, or a top-level module name your local python3
            can import (pure Python). From then on every member, now and added later, imports it from chop
            when the host has no module of that name: 'py import mymod; mymod.f()' and 'call mymod.f 1 2'
            work, and pkgutil.get_data('mypkg', 'data.json') returns the local file's bytes. Modules are
            sent on demand, once per connection, and only files under the imported roots are ever sent:
            modules Python imports and package data files up to 10 MiB, never a dotfile or anything in a
            dot-folder (mypkg/.env, mypkg/.git), even through a symlink.
            --reload NAME sends a changed module again and reloads it where it was imported.

            Examples:
              import ./mymod.py
              import ~/src/mypkg requests_helpers
              import --reload mymod
            """)

    /// Files, directories or module names to ship.
    public var specs: [String]
    /// Modules to send again and reload.
    public var reload: [String]

    public init(specs: [String] = [], reload: [String] = []) {
        self.specs = specs
        self.reload = reload
    }

    public static func parse(_ arguments: CommandArguments) throws(ParseError) -> ImportCommand {
        let (words, options) = try arguments.options(hint: CommandArguments.fileHint)
        if options.has("--reload") {
            guard !words.isEmpty else {
                throw arguments.error("--reload needs a module name, e.g. import --reload mymod")
            }
            for name in words
            where !name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy({
                !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } && !$0.first!.isNumber
            }) {
                throw arguments.error("'\(name)' is not a module name")
            }
            return ImportCommand(reload: words)
        }
        let specs = words
        guard !specs.isEmpty else { throw arguments.error("import needs a .py file, a package directory or a module") }
        return ImportCommand(specs: specs)
    }

    public static func complete(_ context: CompletionContext) -> [String] {
        context.paths(context.word)
    }

    /// Resolves each root here (a typo fails before any host is asked), keeps it for members added later, and
    /// ships it to every member now.
    public func run(in session: isolated Session, target: String?) async throws -> CommandResult {
        var roots: [ShippedRoot] = []
        for spec in specs {
            do {
                roots.append(try await ShippedRoot.resolve(Session.expandTilde(spec)))
            } catch {
                throw ShellError("import \(spec): \(error.msg)")
            }
        }
        for name in reload {
            let top = String(name.split(separator: ".")[0])
            guard session.shippedRoots.contains(where: { $0.name == top }) else {
                throw ShellError("import --reload \(name): \(top) was not imported; 'import PATH' ships it first")
            }
        }
        for root in roots {
            session.shippedRoots.removeAll { $0.name == root.name }
            session.shippedRoots.append(root)
        }
        if session.group.isEmpty {
            session.io.error("\(roots.map(\.name).joined(separator: ", ")) will be importable on every member you add")
            return .ok
        }
        let chosen = roots
        return try await session.operate(
            "import", target: nil, names: session.group.names, { try await $0.ship(chosen, reload: reload) },
            describe: { host, result in
                var text = "importable: " + result.roots.joined(separator: ", ")
                if !result.reloaded.isEmpty { text += "; reloaded " + result.reloaded.joined(separator: ", ") }
                return HostOutcome(
                    host: host, output: text,
                    value: [
                        "roots": .array(result.roots.map(JSONValue.string)),
                        "reloaded": .array(result.reloaded.map(JSONValue.string)),
                    ])
            })
    }
}
