import Chopsticks

/// `import`: the user's own Python code, importable on every current and future member.
extension Session {
    func ship(_ specs: [String], reload: [String]) async throws -> CommandResult {
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
            guard shippedRoots.contains(where: { $0.name == top }) else {
                throw ShellError("import --reload \(name): \(top) was not imported; 'import PATH' ships it first")
            }
        }
        for root in roots {
            shippedRoots.removeAll { $0.name == root.name }
            shippedRoots.append(root)
        }
        if group.isEmpty {
            io.error("\(roots.map(\.name).joined(separator: ", ")) will be importable on every member you add")
            return .ok
        }
        let chosen = roots
        return try await operate(
            "import", target: nil, names: group.names, { try await $0.ship(chosen, reload: reload) },
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
