import Foundation
import NIOCore

/// Starts the agent on the far side with nothing installed there.
///
/// The tunnel runs a tiny POSIX `sh` script (well under the 128 KiB argv limit) that finds a Python 3.6+
/// and starts it with a short `-c` stub; the stub reads exactly the agent's bytes from stdin and runs them.
/// The rest of stdin is the protocol. Discovery costs no extra round trip: every candidate is tried by the
/// same remote shell.
public enum Bootstrap {
    /// The agent's source, embedded in the binary at build time.
    /// The agent's parts joined in file-name order with a blank line between them: one program.
    public static let agentSource: [UInt8] = [
        PackageResources.agent_1_core_py, PackageResources.agent_2_run_py, PackageResources.agent_3_python_py,
        PackageResources.agent_4_facts_py, PackageResources.agent_5_eval_py, PackageResources.agent_5_files_py,
        PackageResources.agent_6_main_py,
    ].joined(separator: Array("\n\n".utf8)).map { $0 }

    /// Names the agent's compiled copy in the hosts' caches: the first 16 hex digits of its SHA-1.
    static let agentKey: String = {
        let hasher = SHA1()
        hasher.update(agentSource)
        return String(hasher.hexDigest().prefix(16))
    }()

    /// The agent's source in one buffer that every connection sends as it is (buffers share their storage).
    static let agentBuffer = ByteBuffer(bytes: agentSource)

    /// Interpreters tried in order when the user named none.
    public static let candidates = [
        "python3", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "python3.8",
        "python3.7", "python3.6", "/usr/libexec/platform-python", "python",
    ]

    /// Exit status of the stub when the interpreter is older than 3.6 (the script then tries the next one).
    static let tooOldStatus = 4
    /// Exit status of the script when no candidate works.
    static let noPythonStatus = 127
    /// Markers the script and stub write to stderr, read back by `FailureText`.
    static let noPythonMarker = "chop: no usable python"
    static let tooOldMarker = "chop: python too old:"

    /// The `-c` stub: Python 2.7 and 3.x syntax, no backslashes or single quotes (it is single-quoted for sh).
    ///
    /// Given a key (`agentKey`), it keeps the compiled agent in `~/.cache/chop/agent-KEY.TAG` (mode 0600, a
    /// CRC-32 of the source first) and runs that instead of compiling the source again: compiling the agent
    /// is most of its start-up, paid by every host on every connect. A stale or damaged copy is not used.
    static let stub = [
        "import os,sys",
        "if sys.version_info<(3,6):sys.stderr.write(\"\(tooOldMarker) %s at %s\"%(sys.version.split()[0],"
            + "sys.executable)+chr(10));sys.exit(\(tooOldStatus))",
        "n=int(sys.argv[1]);s=b\"\"",
        "while len(s)<n:",
        " c=os.read(0,n-len(s))",
        " if not c:sys.exit(3)",
        " s+=c",
        "x=None",
        "if len(sys.argv)>2:",
        " import marshal,zlib",
        " h=zlib.crc32(s).to_bytes(4,\"big\");"
            + "d=os.path.join(os.environ.get(\"XDG_CACHE_HOME\") or os.path.expanduser(\"~/.cache\"),\"chop\")",
        " p=os.path.join(d,\"agent-%s.%s\"%(sys.argv[2],sys.implementation.cache_tag))",
        " try:",
        "  with open(p,\"rb\") as f:b=f.read()",
        "  if b[:4]==h:x=marshal.loads(b[4:])",
        " except Exception:pass",
        "if x is None:",
        " x=compile(s,\"chop_agent.py\",\"exec\")",
        " if len(sys.argv)>2:",
        "  try:",
        "   os.makedirs(d,448,exist_ok=True);t=\"%s.%d\"%(p,os.getpid())",
        "   with open(os.open(t,os.O_WRONLY|os.O_CREAT|os.O_EXCL,384),\"wb\") as f:"
            + "f.write(h+marshal.dumps(x))",
        "   os.rename(t,p)",
        "  except Exception:pass",
        "exec(x,{\"__name__\":\"__chop_agent__\"})",
    ].joined(separator: "\n")

    /// The `sh` script that starts the agent with `python`, or discovers an interpreter when it is nil.
    public static func script(python: String?) -> String {
        let launch = "-c \(shellQuote(stub)) \(agentSource.count) \(agentKey)"
        return candidateLoop(python.map { [$0] } ?? candidates, launch: launch)
    }

    /// Runs `"$p" ARGUMENTS` with the first interpreter of `list` on PATH whose start does not exit with
    /// `tooOldStatus`, and exits with its status; 127 and a marker on stderr when none is left. Shared by the
    /// bootstrap and by `LocalInterpreter`'s one-time search, so both follow the same rules.
    static func candidateLoop(_ list: [String], launch arguments: String) -> String {
        """
        for p in \(list.map(shellQuote).joined(separator: " ")); do \
        if command -v "$p" >/dev/null 2>&1; then "$p" \(arguments); s=$?; [ $s -eq \(tooOldStatus) ] || exit $s; fi; \
        done; echo "\(noPythonMarker) (tried: \(list.joined(separator: " ")))" >&2; exit \(noPythonStatus)
        """
    }
}

/// Quotes a word for a POSIX shell: unchanged when it is made only of `[A-Za-z0-9_@%+=:,./-]` (so common
/// commands stay readable), otherwise single-quoted with each `'` written as `'\''`. Every remote command
/// chop builds from host names or paths goes through here.
public func shellQuote(_ word: String) -> String {
    if !word.isEmpty, word.unicodeScalars.allSatisfy(isSafeUnquoted) { return word }
    var quoted = "'"
    for character in word {
        if character == "'" { quoted += "'\\''" } else { quoted.append(character) }
    }
    return quoted + "'"
}

private func isSafeUnquoted(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "A"..."Z", "a"..."z", "0"..."9", "_", "@", "%", "+", "=", ":", ",", ".", "/", "-": true
    default: false
    }
}
