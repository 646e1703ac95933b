/// Why a tunnel value cannot be made: the user gets this message as it is.
public struct InvalidTunnel: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Refuses names that a command line would read as an option, or that are not one plain word.
func validateName(_ name: String, what: String) throws(InvalidTunnel) {
    if name.isEmpty { throw InvalidTunnel("\(what) must not be empty") }
    if name.hasPrefix("-") {
        throw InvalidTunnel("\(what) '\(name)' starts with '-': refused, it would be read as an option")
    }
    if name.unicodeScalars.contains(where: { $0.value < 0x21 || $0.value == 0x7f }) {
        throw InvalidTunnel("\(what) '\(name)' contains spaces or control characters")
    }
}

/// Checks several values at once, each named for the error; nil values (options not given) are skipped.
func validateNames(_ values: KeyValuePairs<String, String?>) throws(InvalidTunnel) {
    for (what, value) in values {
        if let value { try validateName(value, what: what) }
    }
}

/// Refuses an interpreter that is not a plain name or path (letters, digits and `_ @ % + = : , . / -`): it is
/// run by a shell on the host (and here for Local members), so `$(…)`, `${IFS}`, quotes or spaces in it would
/// be code, whether they come from `--python` or an inventory's `ansible_python_interpreter`.
func validatePython(_ python: String?) throws(InvalidTunnel) {
    guard let python else { return }
    try validateName(python, what: "python path")
    if !python.unicodeScalars.allSatisfy(isSafeUnquoted) {
        throw InvalidTunnel(
            "python path '\(python)' is not a plain path (only letters, digits and _ @ % + = : , . / -): "
                + "give the interpreter's path itself")
    }
}
