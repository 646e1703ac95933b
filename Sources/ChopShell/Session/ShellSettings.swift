import Chopsticks

/// The settings a session keeps, changed with `set KEY VALUE` and listed by `set`.
///
/// Every key is one entry of `Setting.all`: `set`, its completion, its help and `apply` all read that table, so
/// they cannot disagree.
public struct ShellSettings: Sendable, Equatable {
    public enum OutputMode: String, Sendable, CaseIterable { case auto, table, blocks, lines, json }
    public enum ColorMode: String, Sendable, CaseIterable { case auto, on, off }

    /// Seconds a `run` may take on each host before it is killed; nil for no limit.
    public var timeout: Double?
    /// Seconds a host may take to connect and start the agent.
    public var connectTimeout: Int = 10
    /// Seconds an ssh master connection outlives chop, so that the next run skips the handshake (`set persist`);
    /// nil: none is left (see `ControlMaster`).
    public var persist: Int? = 60
    /// How many hosts are worked on at once.
    public var fanout: Int = 64
    /// `auto`: the table when every answer fits on one line, else blocks.
    public var output: OutputMode = .auto
    /// How answers are gathered into rows and blocks: identical ones, alike ones, or none.
    public var gather: SimilarOutputs.Mode = .similar
    /// Lines a block shows before it is cut (0: all).
    public var maxLines: Int = 40
    /// How many results the history keeps (`%N`).
    public var historyResults: Int = 100
    /// Bytes of each host's stdout and stderr a result keeps in memory; beyond, the output goes to a file.
    public var keepBytes: Int = 256 * 1024
    /// Bytes of each host's output a result may keep on disk (both streams); the rest is dropped, with a note.
    public var spillMax: Int = 1 << 30
    /// Whether long output on a terminal goes through `$PAGER` (default `less -R -F -X`).
    public var pager: Bool = true
    public var color: ColorMode = .auto
    /// The interpreter for hosts added from now on; nil means discover one.
    public var python: String?
    /// The image `add docker` uses when none is given.
    public var dockerImage: String = "python:3-slim"
    /// The user every `run` and `script` runs as through sudo (`set sudo`); nil: the member's own.
    public var sudo: String?
    /// What `run --sudo` and `set sudo` switch user with: sudo, or doas or su (`set sudo-tool`).
    public var sudoTool: SudoTool = .sudo
    /// Where every result is saved as it comes (`DIR/N/HOST.out`, `.err`, `result.json`); nil: nowhere.
    public var saveDir: String?
    /// Stop a script at the first command where a host failed.
    public var errexit: Bool = false
    /// Default wave size for operations (`set batch`); nil: all at once.
    public var batch: Rollout.Size?
    /// Default failure limit for operations (`set max-fail`); nil: none.
    public var maxFail: Rollout.Size?
    /// Show what each operation would do instead of doing it (`set dry-run on`).
    public var dryRun: Bool = false
    /// A connect's first `run` (without environment or stdin), `ping` or `facts` goes in ssh's command line
    /// (members added later): a round trip sooner, and visible in process lists as `ssh HOST CMD` would be.
    public var inlineFirst: Bool = true

    public init() {}

    /// Applies `set KEY VALUE`; the message says what is allowed when the key or value is wrong.
    public mutating func apply(key: String, value: String) throws(ShellError) {
        guard let setting = Setting.named(key) else {
            throw ShellError("unknown setting '\(key)' — settings: \(Setting.keys.joined(separator: ", "))")
        }
        try setting.apply(value, &self)
    }

    /// `key value` pairs for `set` with no arguments, in table order.
    public var listing: [(String, String)] {
        Setting.all.map { ($0.key, $0.describe(self)) }
    }
}
