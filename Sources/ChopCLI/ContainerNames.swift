import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Names of running containers for Tab after `add container`, from `docker ps`. Refreshed in the
/// background after each command, so the prompt never waits for the engine.
enum ContainerNames {
    /// Runs `docker ps` with a 2-second limit; an empty list when docker is missing, slow or down.
    static func running(engine: String = "docker") -> [String] {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { return [] }
        // Close-on-exec on both ends: only the dup2'd copy reaches the child.
        _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let words: [String] = [engine, "ps", "--format", "{{.Names}}"]
        var arguments: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for argument in arguments { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, engine, &actions, nil, &arguments, environ) == 0
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned else { return [] }
        var output = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        let deadline = Date().addingTimeInterval(2)
        var pollFD = pollfd(fd: fds[0], events: Int16(POLLIN), revents: 0)
        while Date() < deadline && output.count < 1 << 20 {
            guard poll(&pollFD, 1, 100) >= 0 else { break }
            if pollFD.revents == 0 { continue }
            let count = read(fds[0], &buffer, buffer.count)
            if count <= 0 { break }
            output += buffer[0..<count]
        }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return String(decoding: output, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
