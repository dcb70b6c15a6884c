// The run directory: where a coordinator's ipc:// sockets live (mode 0700), guarded by a lock so that a
// second coordinator cannot silently replace the first one's socket files (libzmq unlinks on bind).

#if canImport(Glibc)
import Glibc
#endif

public struct RunDirectoryError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

public final class RunDirectory: Sendable {
    public let path: String
    private let lockFD: Int32

    /// The default run directory: `$XDG_RUNTIME_DIR/gongkai` or `/tmp/gongkai-<uid>`, short enough for ipc:// paths.
    public static var defaultPath: String {
        if let env = getenv("GONGKAI_RUN_DIR") { return String(cString: env) }
        if let xdg = getenv("XDG_RUNTIME_DIR") {
            let p = String(cString: xdg) + "/gongkai"
            if p.utf8.count < 60 { return p }
        }
        return "/tmp/gongkai-\(getuid())"
    }

    public var workEndpoint: String { "ipc://\(path)/work.sock" }
    public var controlEndpoint: String { "ipc://\(path)/control.sock" }
    public var pidFile: String { "\(path)/coordinator.pid" }

    /// Creates (mode 0700) and locks the run directory; refuses when another coordinator holds it.
    /// Stale socket files of a crashed run are removed once the lock is held.
    public init(path: String) throws {
        self.path = path
        // sun_path holds 108 bytes; leave room for "/control.sock".
        guard path.utf8.count <= 90 else {
            throw RunDirectoryError(description: "run directory path too long for ipc:// sockets (\(path.utf8.count) > 90 bytes): \(path)")
        }
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw RunDirectoryError(description: "cannot create run directory \(path): \(String(cString: strerror(errno)))")
        }
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw RunDirectoryError(description: "run directory \(path) is not a directory")
        }
        guard st.st_uid == getuid() else {
            throw RunDirectoryError(description: "run directory \(path) belongs to another user (uid \(st.st_uid))")
        }
        _ = chmod(path, 0o700)
        let fd = open("\(path)/coordinator.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw RunDirectoryError(description: "cannot open lock file in \(path): \(String(cString: strerror(errno)))")
        }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            close(fd)
            var holder = ""
            if let pid = RunDirectory.readPid(path: "\(path)/coordinator.pid") { holder = " (pid \(pid))" }
            throw RunDirectoryError(description: "another coordinator is running on \(path)\(holder); stop it with `gongkai shutdown` or use --run-dir")
        }
        lockFD = fd
        for name in ["work.sock", "control.sock"] { unlink("\(path)/\(name)") }
        let pidText = "\(getpid())\n"
        let pfd = open("\(path)/coordinator.pid", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        if pfd >= 0 {
            _ = pidText.withCString { write(pfd, $0, strlen($0)) }
            close(pfd)
        }
    }

    /// Removes socket and pid files and releases the lock.
    public func cleanUp() {
        for name in ["work.sock", "control.sock", "coordinator.pid"] { unlink("\(path)/\(name)") }
        flock(lockFD, LOCK_UN)
        close(lockFD)
    }

    public static func readPid(path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buf = [UInt8](repeating: 0, count: 32)
        let n = read(fd, &buf, 31)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buf[0..<n].filter { $0 >= 0x30 && $0 <= 0x39 }, as: UTF8.self))
    }
}
