/// A user-facing error of the shell: one line that says what to do instead.
public struct ShellError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
