import Foundation

/// A top-level module or package of the user's own, which agents may import (`import` in the shell,
/// `Group.ship`): its name and where its code lives here. Only files under it are ever served.
public struct ShippedRoot: Sendable, Hashable {
    /// The top-level name it is imported by (`mymod`, `mypkg`).
    public var name: String
    /// The module's `.py` file, or the package's directory.
    public var path: String
    public var isPackage: Bool

    public init(name: String, path: String, isPackage: Bool) {
        self.name = name
        self.path = path
        self.isPackage = isPackage
    }

    /// Finds `spec`: a `.py` file, a package directory (with `__init__.py`), or a top-level module name that
    /// this machine's `python3` can import (pure Python only: C extensions cannot travel).
    public static func resolve(_ spec: String, python: String = "python3") async throws(ErrorResult) -> ShippedRoot {
        let path = (spec as NSString).expandingTildeInPath
        var isDirectory: ObjCBool = false
        if spec.contains("/") || spec.hasSuffix(".py") || FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ErrorResult("no such file or directory: \(spec)")
            }
            let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
            if isDirectory.boolValue {
                guard FileManager.default.fileExists(atPath: absolute + "/__init__.py") else {
                    throw ErrorResult("\(spec) is a directory without __init__.py: not a package")
                }
                return try named((absolute as NSString).lastPathComponent, path: absolute, isPackage: true)
            }
            guard absolute.hasSuffix(".py") else { throw ErrorResult("\(spec) is not a .py file") }
            let stem = ((absolute as NSString).lastPathComponent as NSString).deletingPathExtension
            return try named(stem, path: absolute, isPackage: false)
        }
        guard spec.split(separator: ".").count == 1, isIdentifier(spec) else {
            throw ErrorResult("'\(spec)': give a top-level module name, a .py file or a package directory")
        }
        let probe = """
            import importlib.util, sys
            s = importlib.util.find_spec(sys.argv[1])
            print(s.origin if s and s.origin else '')
            print('package' if s and s.submodule_search_locations is not None else 'module')
            """
        let output: CommandOutput
        do {
            output = try await CommandOutput.run([python, "-c", probe, spec], timeout: 20)
        } catch {
            throw ErrorResult("cannot run \(python) to find module \(spec): \(error)")
        }
        let lines = output.text.split(separator: "\n").map(String.init)
        guard output.status == 0, lines.count == 2, !lines[0].isEmpty else {
            throw ErrorResult("the local \(python) cannot find a module named '\(spec)'")
        }
        guard lines[0].hasSuffix(".py") else {
            throw ErrorResult("'\(spec)' is not pure Python (\(lines[0])): only .py code can be shipped")
        }
        if lines[1] == "package" {
            return try named(spec, path: (lines[0] as NSString).deletingLastPathComponent, isPackage: true)
        }
        return try named(spec, path: lines[0], isPackage: false)
    }

    private static func named(_ name: String, path: String, isPackage: Bool) throws(ErrorResult) -> ShippedRoot {
        guard isIdentifier(name) else {
            throw ErrorResult("'\(name)' is not a name Python can import (letters, digits and _ only)")
        }
        return ShippedRoot(name: name, path: path, isPackage: isPackage)
    }

    static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !CharacterSet.decimalDigits.contains(first) else { return false }
        return text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" }
    }
}
