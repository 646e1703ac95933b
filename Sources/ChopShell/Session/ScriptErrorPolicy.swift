/// What a script does at a line that fails with an error (not one where hosts failed: that is `errexit`).
public enum ScriptErrorPolicy: Sendable {
    /// Stop there: a script, `-c` or `source` (its later lines may depend on this one).
    case stop
    /// Report `FILE:LINE` and go on: the user's defaults file, which must never keep chop from starting.
    case skip
}
