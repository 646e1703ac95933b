/// The settings a session keeps, changed with `set KEY VALUE` and listed by `set`.
public struct ShellSettings: Sendable, Equatable {
    public enum OutputMode: String, Sendable, CaseIterable { case table, lines, json }
    public enum ColorMode: String, Sendable, CaseIterable { case auto, on, off }

    /// Seconds a `run` may take on each host before it is killed; nil for no limit.
    public var timeout: Double?
    /// Seconds a host may take to connect and start the agent.
    public var connectTimeout: Int = 10
    /// How many hosts are worked on at once.
    public var fanout: Int = 64
    public var output: OutputMode = .table
    /// Fold hosts with identical results into one row.
    public var gather: Bool = true
    public var color: ColorMode = .auto
    /// The interpreter for hosts added from now on; nil means discover one.
    public var python: String?
    /// The image `add docker` uses when none is given.
    public var dockerImage: String = "python:3-slim"
    /// Stop a script at the first command where a host failed.
    public var errexit: Bool = false

    public init() {}

    /// Applies `set KEY VALUE`; the message says what is allowed when the value is wrong.
    public mutating func apply(key: String, value: String) throws(ShellError) {
        func onOff() throws(ShellError) -> Bool {
            switch value {
            case "on", "yes", "true", "1": return true
            case "off", "no", "false", "0": return false
            default: throw ShellError("set \(key): use on or off")
            }
        }
        switch key {
        case "timeout":
            if value == "none" || value == "off" || value == "0" {
                timeout = nil
            } else if let seconds = Double(value), seconds > 0 {
                timeout = seconds
            } else {
                throw ShellError("set timeout: give seconds (e.g. set timeout 30) or none")
            }
        case "connect-timeout":
            guard let seconds = Int(value), (1...600).contains(seconds) else {
                throw ShellError("set connect-timeout: give whole seconds from 1 to 600")
            }
            connectTimeout = seconds
        case "fanout":
            guard let count = Int(value), (1...10_000).contains(count) else {
                throw ShellError("set fanout: give a number from 1 to 10000")
            }
            fanout = count
        case "output":
            guard let mode = OutputMode(rawValue: value) else {
                throw ShellError("set output: use table, lines or json")
            }
            output = mode
        case "gather": gather = try onOff()
        case "color", "colour":
            guard let mode = ColorMode(rawValue: value) else { throw ShellError("set color: use auto, on or off") }
            color = mode
        case "python": python = value == "auto" ? nil : value
        case "docker-image": dockerImage = value
        case "errexit": errexit = try onOff()
        default:
            throw ShellError(
                "unknown setting '\(key)'; settings: timeout, connect-timeout, fanout, output, gather, color, python, "
                    + "docker-image, errexit")
        }
    }

    /// `key value` lines for `set` with no arguments.
    public var listing: [(String, String)] {
        [
            ("timeout", timeout.map { "\(Self.trim($0)) s" } ?? "none"),
            ("connect-timeout", "\(connectTimeout) s"),
            ("fanout", "\(fanout)"),
            ("output", output.rawValue),
            ("gather", gather ? "on" : "off"),
            ("color", color.rawValue),
            ("python", python ?? "auto"),
            ("docker-image", dockerImage),
            ("errexit", errexit ? "on" : "off"),
        ]
    }

    static func trim(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// A user-facing error of the shell: one line that says what to do instead.
public struct ShellError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
