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
    /// The agent's parts (`parts`, written by AgentPartsPlugin from the Agent folder) joined in file-name order
    /// with a blank line between them: one program.
    public static let agentSource: [UInt8] = Array(parts.map(\.source).joined(separator: "\n\n").utf8)

    /// Names the agent's compiled copy in the hosts' caches: the first 16 hex digits of its SHA-1.
    static let agentKey: String = {
        let hasher = SHA1()
        hasher.update(agentSource)
        return String(hasher.hexDigest().prefix(16))
    }()

    /// The agent's source in one buffer that every connection sends as it is (buffers share their storage).
    static let agentBuffer = ByteBuffer(bytes: agentSource)

    /// Interpreters tried in order when the user named none: by name on PATH first, then at the usual absolute
    /// places, so that an rc file that breaks PATH does not make the host unreachable.
    public static let candidates = [
        "python3", "python3.13", "python3.12", "python3.11", "python3.10", "python3.9", "python3.8",
        "python3.7", "python3.6", "/usr/libexec/platform-python", "python", "/usr/bin/python3",
        "/usr/local/bin/python3", "/bin/python3", "/opt/homebrew/bin/python3",
    ]
    /// Folders searched for `python3` last, as a shell glob (`/opt/*/bin`: vendor and hand-built installs).
    static let candidateGlob = "/opt/*/bin/python3"

    /// Exit status of the stub when the interpreter is older than 3.6 (the script then tries the next one).
    static let tooOldStatus = 4
    /// Exit status of the script when no candidate works.
    static let noPythonStatus = 127
    /// Markers the script and stub write to stderr, read back by `FailureText`.
    static let noPythonMarker = "chop: no usable python"
    static let tooOldMarker = "chop: python too old:"

    /// What every tunnel runs on the far side: a `/bin/sh` (by absolute path, so a broken PATH does not matter)
    /// that reads one line from stdin and runs it. The line is the bootstrap (`line(python:marker:)`).
    ///
    /// Why stdin: ssh hands its command to the account's login shell, and each shell has its own syntax (tcsh
    /// refuses a newline inside quotes, fish treats a backslash inside them as an escape). This one line, with
    /// no newline, backslash or `!`, means the same in sh, bash, zsh, ksh, fish, tcsh/csh and busybox ash; the
    /// bootstrap itself then never meets the login shell. `read` takes bytes one at a time on a pipe, so the
    /// agent's bytes after the line stay in stdin for Python.
    public static let reader = "IFS= read -r c; eval \"$c\""

    /// `reader` as a command for a login shell: `exec /bin/sh -c '…'`.
    public static let loginCommand = "exec /bin/sh -c \(shellQuote(reader))"

    /// A fresh marker for one connection: the bootstrap prints it on stdout just before the agent starts, and
    /// chop reads frames only after it (whatever a login shell's rc files printed before is the host's text).
    static func newMarker() -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = (0..<4).map { _ in String(generator.next() as UInt64, radix: 16) }
        return "chop-agent-" + digits.map { String(repeating: "0", count: 16 - $0.count) + $0 }.joined()
    }

    /// The `-c` stub: Python 2.7 and 3.x syntax, no backslashes or single quotes (it is sent inside a Python
    /// string literal inside sh single quotes).
    ///
    /// It first drops relative entries (the current folder) from `sys.path`, so nothing in the folder chop
    /// was started from, or in the login home, is imported (the script also starts it in `/`, with `-E -s -S`),
    /// then goes back to the folder the shell started in (`CHOP_DIR`) for the user's commands.
    ///
    /// Given a key (`agentKey`), it keeps the compiled agent in `~/.cache/chop/agent-KEY.TAG` (mode 0600, a
    /// CRC-32 of the compiled code first) and runs that instead of compiling the source again: compiling the
    /// agent is most of its start-up, paid by every host on every connect. The copy runs without waiting for the
    /// source (the agent drops those bytes as they come: `CHOP_SKIP`), so a first request that came in the
    /// command line (`CHOP_FIRST`, see `OpeningRequest`) is answered a round trip before stdin could bring one;
    /// a stale copy has another name (the key is the source's), a damaged one fails its CRC and is not used.
    /// The folder comes from the password database for the effective user when sudo started it (never a
    /// `$HOME` sudo kept), and a copy is used only when it and every folder above it up to that home belong to
    /// the effective user or root and are writable by no one else (like sshd's StrictModes): otherwise anyone
    /// who can write there could run code as that user.
    static let stub = [
        "import os,sys",
        "if sys.version_info<(3,6):sys.stderr.write(\"\(tooOldMarker) %s at %s\"%(sys.version.split()[0],"
            + "sys.executable)+chr(10));sys.exit(\(tooOldStatus))",
        "sys.path[:]=[q for q in sys.path if os.path.isabs(q)]",
        "try:os.chdir(os.environ.pop(\"CHOP_DIR\",\".\"))",
        "except Exception:pass",
        "n=int(sys.argv[1]);x=None",
        "if len(sys.argv)>2:",
        " import marshal,pwd,zlib",
        " u=os.geteuid();e=pwd.getpwuid(u).pw_dir",
        " if \"SUDO_USER\" in os.environ or u!=os.getuid():d=os.path.join(e,\".cache\")",
        " else:d=os.environ.get(\"XDG_CACHE_HOME\") or os.path.expanduser(\"~/.cache\");e=os.path.expanduser(\"~\")",
        " d=os.path.join(d,\"chop\");p=os.path.join(d,\"agent-%s.%s\"%(sys.argv[2],sys.implementation.cache_tag))",
        " try:",
        "  q=p",
        "  while 1:",
        "   t=os.lstat(q)",
        "   if t.st_uid not in(u,0) or t.st_mode&18 and not(t.st_uid==0 and t.st_mode&512) or q!=p and not os.path.isdir(q):raise OSError(q)",
        "   if q==e or q==os.path.dirname(q):break",
        "   q=os.path.dirname(q)",
        "  with open(p,\"rb\") as f:b=f.read()",
        "  if b[:4]==zlib.crc32(b[4:]).to_bytes(4,\"big\"):x=marshal.loads(b[4:])",
        " except Exception:pass",
        "if x is None:",
        " s=b\"\"",
        " while len(s)<n:",
        "  c=os.read(0,n-len(s))",
        "  if not c:sys.exit(3)",
        "  s+=c",
        " x=compile(s,\"chop_agent.py\",\"exec\");n=0",
        " if len(sys.argv)>2:",
        "  try:",
        "   os.makedirs(d,448,exist_ok=True);t=\"%s.%d\"%(p,os.getpid());m=marshal.dumps(x)",
        "   with open(os.open(t,os.O_WRONLY|os.O_CREAT|os.O_EXCL,384),\"wb\") as f:"
            + "f.write(zlib.crc32(m).to_bytes(4,\"big\")+m)",
        "   os.rename(t,p)",
        "  except Exception:pass",
        "exec(x,{\"__name__\":\"__chop_agent__\",\"CHOP_SKIP\":n,"
            + "\"CHOP_FIRST\":os.environ.pop(\"CHOP_FIRST\",\"\")})",
    ].joined(separator: "\n")

    /// `stub` as one line of Python: `exec("…")` with its newlines and quotes escaped, so the bootstrap stays
    /// one line (see `reader`).
    static let stubLine: String = {
        var literal = ""
        for character in stub {
            switch character {
            case "\n": literal += "\\n"
            case "\"": literal += "\\\""
            default: literal.append(character)
            }
        }
        return "exec(\"\(literal)\")"
    }()

    /// The bootstrap line `reader` runs, newline included: prints `marker`, then starts the agent with
    /// `python`, or discovers an interpreter when it is nil. Python starts in `/` with `-E -s -S` (no PYTHON*
    /// variables, no user site folder, no `site` until the user's code runs: see the agent's `ensure_site`), and
    /// the stub goes back to the starting folder once imports are safe.
    public static func line(python: String?, marker: String) -> String {
        "echo \(marker); " + (python == nil ? searchingLine : lineTail(python: python)) + "\n"
    }

    /// `line` after its marker: the same for every connection that names no interpreter, so made once.
    private static let searchingLine = lineTail(python: nil)

    private static func lineTail(python: String?) -> String {
        let launch = "-E -s -S -c \(shellQuote(stubLine)) \(agentSource.count) \(agentKey)"
        let search = python.map { [$0] } ?? candidates
        return "CHOP_DIR=$PWD; export CHOP_DIR; cd / || exit 1; "
            + candidateLoop(search, glob: python == nil ? candidateGlob : nil, launch: launch)
    }

    /// The bootstrap as the far shell's command line instead of stdin's first line, for ssh: sshd opens a
    /// session's window only once its command runs, so what chop writes to stdin leaves a round trip after the
    /// command. From the command line, Python starts and loads its compiled agent while the agent's bytes and
    /// the first request are on their way. The stub goes as base64 in argv (a Python one-liner decodes it), so the
    /// line has no quote, backslash or `!` and means the same to every login shell (see `reader`); nil when it
    /// would have one (an interpreter path that needs quoting): then the bootstrap goes on stdin.
    ///
    /// `first`, a REQ frame (`OpeningRequest`), goes along as `CHOP_FIRST` in base64: the stub hands it to the
    /// agent, which answers it before it reads stdin.
    ///
    /// `linger`, `SECONDS:KEY`, goes along as `CHOP_LINGER`: the agent leaves one behind, named after KEY, that
    /// starts the next run's agents for that long after its last connection (`LingeringAgent`).
    public static func command(
        python: String?, marker: String, first: [UInt8]? = nil, linger: String? = nil
    ) -> String? {
        guard let tail = python == nil ? searchingCommand : commandTail(python: python),
            !marker.utf8.contains(where: unsafeInCommand)
        else { return nil }
        let carried = first.map { "CHOP_FIRST=\(Data($0).base64EncodedString()); export CHOP_FIRST; " } ?? ""
        let lingering = linger.map { "CHOP_LINGER=\($0); export CHOP_LINGER; " } ?? ""
        return "echo \(marker); " + carried + lingering + tail
    }

    /// `command` after its marker: the same for every connection that names no interpreter, so made once
    /// (a connect at N = 100 built it 100 times, a millisecond each on a busy core).
    private static let searchingCommand = commandTail(python: nil)

    private static func commandTail(python: String?) -> String? {
        let encoded = Data(stub.utf8).base64EncodedString()
        let launch =
            "-E -s -S -c \"import sys,binascii;exec(binascii.a2b_base64(sys.argv.pop(1)))\" \(encoded) "
            + "\(agentSource.count) \(agentKey)"
        let search = python.map { [$0] } ?? candidates
        let script =
            "CHOP_DIR=$PWD; export CHOP_DIR; cd / || exit 1; "
            + candidateLoop(
                search, glob: python == nil ? candidateGlob : nil, launch: launch, quote: { "\"\($0)\"" })
        return script.utf8.contains(where: unsafeInCommand) ? nil : script
    }

    /// Bytes a command line must not hold to mean the same to every login shell: quote, backslash, `!`, newline,
    /// backquote.
    private static func unsafeInCommand(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "!")
            || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "`")
    }

    /// The bootstrap as `kind`'s command line (`command`) when `kind` is ssh without sudo, for a direct member
    /// and a gateway's leaf alike; nil: it goes on stdin (`line`).
    static func inline(
        for kind: any TunnelKind, python: String?, marker: String, first: [UInt8]? = nil, linger: String? = nil
    ) -> String? {
        guard carriesCommand(kind) else { return nil }
        return command(python: python, marker: marker, first: first, linger: linger)
    }

    /// Whether `kind`'s bootstrap goes in its command line (ssh without sudo).
    static func carriesCommand(_ kind: any TunnelKind) -> Bool {
        guard let ssh = kind as? SSH else { return false }
        return !ssh.sudo
    }

    /// Whether a first request may go along with the bootstrap in `kind`'s command line (`OpeningRequest`).
    static func carriesFirstRequest(_ kind: any TunnelKind) -> Bool {
        carriesCommand(kind) && (kind as? SSH)?.firstRequestInCommand == true
    }

    /// Runs `"$p" ARGUMENTS` with the first interpreter of `list` (then of the paths `glob` matches) found on
    /// PATH or at its absolute path, and executable (`command -v` alone accepts any absolute path), whose start
    /// exits with neither `tooOldStatus` nor 126 (found but cannot run: a non-executable file on PATH, a binary
    /// for another machine), and exits with its status; 127 and a marker on stderr when none is left. Shared by
    /// the bootstrap and by `LocalInterpreter`'s one-time search, so both follow the same rules. Every word is
    /// quoted, in the message too. No subshell: the check costs no fork (a hundred hosts starting at once pay
    /// each fork on a busy core). `quote` quotes the message (`command` needs double quotes).
    static func candidateLoop(
        _ list: [String], glob: String? = nil, launch arguments: String, quote: (String) -> String = shellQuote
    ) -> String {
        let tried = "\(noPythonMarker) (tried: \((list + (glob.map { [$0] } ?? [])).joined(separator: " ")))"
        return "for p in \(list.map(shellQuote).joined(separator: " "))\(glob.map { " " + $0 } ?? ""); do "
            + "if command -v \"$p\" >/dev/null 2>&1; then case $p in /*) [ -x \"$p\" ] || continue;; esac; "
            + "\"$p\" \(arguments); s=$?; [ $s -eq \(tooOldStatus) ] || [ $s -eq 126 ] || exit $s; fi; "
            + "done; echo \(quote(tried)) >&2; exit \(noPythonStatus)"
    }
}

/// Quotes a word for a POSIX shell: unchanged when it is made only of `[A-Za-z0-9_@%+=:,./-]` (so common
/// commands stay readable), otherwise single-quoted with each `'` written as `'\''`. Every remote command
/// chop builds from host names or paths goes through here.
public func shellQuote(_ word: String) -> String {
    if !word.isEmpty, word.unicodeScalars.allSatisfy(isSafeUnquoted) { return word }
    // Split on the quote's scalar, not on Characters: a quote followed by a combining mark (U+0301) is one
    // Character that is not "'", yet to sh it is a quote byte like any other.
    let pieces = word.unicodeScalars.split(separator: "'", omittingEmptySubsequences: false)
    return "'" + pieces.map { String($0) }.joined(separator: "'\\''") + "'"
}

func isSafeUnquoted(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar {
    case "A"..."Z", "a"..."z", "0"..."9", "_", "@", "%", "+", "=", ":", ",", ".", "/", "-": true
    default: false
    }
}
