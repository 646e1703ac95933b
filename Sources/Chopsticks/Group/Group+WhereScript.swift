import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Group {
    /// The members where a Python expression is true, as chopsticks' `filter`: `expression` is evaluated on every
    /// member (`Tunnel.eval`) and Python's `bool()` of its value decides, so `set()`, `0`, `''` and an object
    /// whose `__bool__` says so are false. With `exclude`, the members where it is false. Members that raise or
    /// cannot be reached are in neither group: their errors are in `results`.
    ///
    ///     let (nginx, checked) = await group.filter("os.path.exists('/etc/nginx')")
    ///     await nginx.run("nginx -t")
    public func filter(_ expression: String, exclude: Bool = false) async -> (
        matching: Group, results: GroupResult<EvalResult>
    ) {
        let results = await each { try await $0.eval(expression) }
        return (subset(Self.matching(results, exclude: exclude)), results)
    }

    /// The hosts of an evaluation whose truth is `!exclude`, in member order; hosts that failed are in no set.
    public static func matching(_ results: GroupResult<EvalResult>, exclude: Bool = false) -> [String] {
        results.compactMap { entry in entry.value.flatMap { $0.isTrue != exclude ? entry.host : nil } }
    }

    /// Runs a local script on every member (`Tunnel.script`): read here once, sent in the request, run from a
    /// private temporary directory that is removed afterwards. `{host}` in an argument is the member's name
    /// (`HostTemplate.expand`; the arguments reach the script as they are, no shell reads them).
    public func script(
        _ localPath: String, arguments: [String] = [], timeout: Double? = nil, env: [String: String]? = nil,
        cwd: String? = nil
    ) async -> GroupResult<RunResult> {
        let body: Data
        do {
            body = try LocalScript.read(localPath)
        } catch {
            return GroupResult(names.map { GroupResult.Entry(host: $0, result: .failure(ErrorResult(error))) })
        }
        let name = LocalScript.name(localPath)
        return await each { tunnel in
            try await tunnel.script(
                body, name: name, arguments: arguments.map { HostTemplate.expand($0, host: tunnel.name) },
                timeout: timeout, env: env, cwd: cwd)
        }
    }
}

/// A local script file for `script`, read whole, or the one-line reason it cannot be.
public enum LocalScript {
    /// The file's bytes; throws "no such file", "is a directory", "is not a regular file", "cannot read …:
    /// Permission denied" or "is larger than …", each one line.
    public static func read(_ path: String) throws(ErrorResult) -> Data {
        func failure(_ what: String) -> ErrorResult {
            ErrorResult("script: \(what)", kind: .local)
        }
        // O_NONBLOCK: a FIFO named by mistake must not hang the open; fstat refuses it next.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw failure("no such file: \(path)") }
            if code == EISDIR { throw failure("\(path) is a directory") }
            throw failure("cannot read \(path): \(String(cString: strerror(code)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure("cannot read \(path): \(String(cString: strerror(errno)))") }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw failure("\(path) is a directory")
        default: throw failure("\(path) is not a regular file")
        }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while data.count <= Tunnel.maximumScriptBytes {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw failure("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { return data }
            data.append(contentsOf: buffer[..<count])
        }
        throw failure("\(path) is larger than \(Tunnel.maximumScriptBytes >> 20) MiB; use put and run")
    }

    /// The name the script gets on the hosts: its own file name.
    public static func name(_ path: String) -> String {
        let name = (path as NSString).lastPathComponent
        return name.isEmpty || name == "/" ? "script" : name
    }
}
