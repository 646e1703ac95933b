import Chopsticks

/// Remote path completion: one live member of the target lists a directory. The line editor asks it (with a
/// time limit) for Tab after `put`'s, `fetch`'s and `sync`'s remote paths.
public enum RemotePathCompletion {
    /// Paths on the first connected member of `target` (the `use` target, else everyone) that start with
    /// `prefix`, directories ending in "/"; empty when no member is up or it does not answer. At most 500.
    public static func paths(target: String?, prefix: String, in session: isolated Session) async -> [String] {
        guard let names = try? session.resolve(target),
            let tunnel = session.group.subset(names).tunnels.first(where: { $0.state == .up })
        else { return [] }
        // One expression (nothing is left in the shared exec namespace): list the folder of the prefix,
        // keep the names that continue it, mark directories, and give the names as typed.
        let source = """
            (lambda os, typed: (lambda folder, stem: sorted(\
            typed[:len(typed) - len(stem)] + n + ('/' if os.path.isdir(os.path.join(os.path.expanduser(folder) or '.', n)) else '') \
            for n in os.listdir(os.path.expanduser(folder) or '.') \
            if n.startswith(stem) and (stem.startswith('.') or not n.startswith('.')))[:500])\
            (*os.path.split(typed)))(__import__('os'), \(pythonString(prefix)))
            """
        guard let value = try? await tunnel.exec(source).value, case .array(let items) = value else { return [] }
        return items.compactMap { if case .string(let path) = $0 { path } else { nil } }
    }

    /// `text` as a Python string literal (JSON's escapes are Python's too).
    private static func pythonString(_ text: String) -> String {
        String(decoding: JSONWriter(nonFinite: .token).bytes(.string(text)), as: UTF8.self)
    }
}
