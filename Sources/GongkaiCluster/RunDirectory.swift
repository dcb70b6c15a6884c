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
    /// The absolute path of the summary store the running coordinator uses (read by `gongkai results/summary`).
    public var storePathFile: String { "\(path)/store.path" }

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

    /// Records the store's absolute path in `store.path` (one line), written atomically.
    public func writeStorePath(_ storePath: String) throws {
        let temporary = "\(path)/.store.path.\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw RunDirectoryError(description: "cannot write \(storePathFile): \(String(cString: strerror(errno)))")
        }
        let text = storePath + "\n"
        let written = text.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        guard written == text.utf8.count, rename(temporary, storePathFile) == 0 else {
            unlink(temporary)
            throw RunDirectoryError(description: "cannot write \(storePathFile): \(String(cString: strerror(errno)))")
        }
    }

    /// `path` made absolute against the current directory.
    public static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return cwd.hasSuffix("/") ? cwd + path : cwd + "/" + path
    }

    /// Creates the directories above `file` (like `mkdir -p`, mode 0700 for new ones).
    public static func makeParentDirectories(of file: String) throws {
        var components = file.split(separator: "/", omittingEmptySubsequences: true).dropLast().map(String.init)
        var current = file.hasPrefix("/") ? "" : "."
        while !components.isEmpty {
            current += "/" + components.removeFirst()
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw RunDirectoryError(description: "cannot create directory \(current): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Removes socket, pid and store.path files and releases the lock.
    public func cleanUp() {
        for name in ["work.sock", "control.sock", "coordinator.pid", "store.path"] { unlink("\(path)/\(name)") }
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
