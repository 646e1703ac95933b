import Chopsticks

/// Where a session writes. The terminal front end, batch mode and tests each supply their own.
///
/// Lines are passed without a trailing newline. Text from hosts is already sanitised by the renderer.
public struct ShellIO: Sendable {
    /// A line of results (stdout).
    public var print: @Sendable (String) -> Void
    /// A one-line error or notice (stderr).
    public var error: @Sendable (String) -> Void
    /// The live progress line while an operation runs; nil clears it. Nil when not on a terminal.
    public var progress: (@Sendable (String?) -> Void)?
    /// The terminal's width in columns, asked before each table.
    public var width: @Sendable () -> Int
    /// Whether colour is wanted when the setting is `auto` (a tty, and NO_COLOR unset).
    public var colorByDefault: Bool
    /// Shows lines through a pager when they are taller than the terminal, and says whether it did; nil where
    /// nothing pages (batch mode, pipes, tests). The lines are already safe to print.
    public var page: (@Sendable ([String]) async -> Bool)?
    /// Asks a yes/no question on the terminal (default no); nil where nobody can answer (batch mode, pipes),
    /// and then commands that need consent (`trust`) do nothing unless given `--yes`.
    public var confirm: (@Sendable (String) async -> Bool)?
    /// Asks for a password on the terminal without echo; nil where nobody can type one. Nil from the call when
    /// the user gave nothing (Ctrl-C, Ctrl-D).
    public var askSecret: (@Sendable (String) async -> Secret?)?

    public init(
        print: @escaping @Sendable (String) -> Void, error: @escaping @Sendable (String) -> Void,
        progress: (@Sendable (String?) -> Void)? = nil, width: @escaping @Sendable () -> Int = { 100 },
        colorByDefault: Bool = false, page: (@Sendable ([String]) async -> Bool)? = nil,
        confirm: (@Sendable (String) async -> Bool)? = nil, askSecret: (@Sendable (String) async -> Secret?)? = nil
    ) {
        self.confirm = confirm
        self.askSecret = askSecret
        self.print = print
        self.error = error
        self.progress = progress
        self.width = width
        self.colorByDefault = colorByDefault
        self.page = page
    }
}
