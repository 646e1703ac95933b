import Chopsticks

extension ResultRenderer {
    /// The whole report as one line of JSON, for scripts (`jq`) and for saving results.
    ///
    /// `{"command":…,"elapsed":…,"hosts":[…],"interrupted":…}` with one object per host, in member order:
    /// `exit_code`, `host`, `reason`, `seconds`, `signal`, `status` (`ok`/`failed`/`error`), `stderr`, `stdout`,
    /// `traceback`, `truncated`, `value` (status `changed` too, for put, put -r and sync); a `where` adds `match` and `nomatch` (host names). `command` is the line as typed, target included. `value` is the
    /// result as data (a call's return value exactly, with integers of any size; a fetch's `remote_path`,
    /// `local_path`, `size`, `sha1sum`); non-finite floats in it are the strings `"NaN"`, `"Infinity"` and
    /// `"-Infinity"`. Keys are sorted so the text is stable for diffs and tests; absent values are `null`; times
    /// are rounded to microseconds. Strings carry the host's text unsanitized (it is data here), but every
    /// control character is escaped (`JSONWriter`), so even printing the JSON to a terminal is safe.
    public func json(_ report: OperationReport) -> String {
        var object: [String: JSONValue] = [
            "command": .string(report.operation),
            "elapsed": Self.jsonSeconds(report.elapsed),
            "hosts": .array(report.outcomes.map(Self.jsonObject)),
            "interrupted": .bool(report.interrupted),
            "result": report.number.map { .int(Int64($0)) } ?? .null,
        ]
        if let match = report.match {
            object["match"] = .array(match.matching.map(JSONValue.string))
            object["nomatch"] = .array(match.notMatching.map(JSONValue.string))
        }
        return JSONValue.object(object).jsonText
    }

    /// One host's outcome as a JSON object (see `json(_:)`), also what `show` prints in JSON mode.
    public static func jsonObject(_ outcome: HostOutcome) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func integer(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }
        var object: [String: JSONValue] = [
            "exit_code": integer(outcome.exitCode),
            "host": .string(outcome.host),
            "reason": text(outcome.reason),
            "seconds": outcome.seconds.map(jsonSeconds) ?? .null,
            "signal": integer(outcome.signal),
            "status": .string(outcome.state.rawValue),
            "stderr": .string(outcome.errorOutput),
            "stdout": .string(outcome.output),
            "traceback": text(outcome.traceback),
            "truncated": .bool(outcome.truncated),
            "value": outcome.value ?? .null,
        ]
        // Bytes that are not UTF-8 (a Latin-1 host): exact here, while "stdout"/"stderr" stay readable text.
        if let raw = outcome.rawOutput { object["stdout_base64"] = .string(raw.base64EncodedString()) }
        if let raw = outcome.rawErrorOutput { object["stderr_base64"] = .string(raw.base64EncodedString()) }
        return .object(object)
    }

    /// Rounded to microseconds so clock noise does not show as 17 digits.
    static func jsonSeconds(_ value: Double) -> JSONValue {
        guard value.isFinite else { return .null }
        return .double((value * 1_000_000).rounded() / 1_000_000)
    }
}
