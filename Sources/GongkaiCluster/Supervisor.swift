// The supervisor: starts N `gongkai worker` processes (posix_spawn of our own executable — never
// fork without exec once a zmq context exists), reaps them, restarts the ones that die with an
// exponential back-off, kills a worker that holds a hung task, and stops them all at shutdown.
// It lives on the coordinator thread, which calls ``tick(now:)``.

import Logging

#if canImport(Glibc)
import Glibc
#endif

/// A worker process's end, as `waitpid` told it.
struct ProcessExit: Sendable, CustomStringConvertible {
    var status: Int32

    var signal: Int32? { status & 0x7F == 0 ? nil : status & 0x7F }
    var exitCode: Int32? { status & 0x7F == 0 ? (status >> 8) & 0xFF : nil }

    var description: String {
        if let signal {
            let name: String
            switch signal {
            case SIGKILL: name = "SIGKILL"
            case SIGABRT: name = "SIGABRT"
            case SIGSEGV: name = "SIGSEGV"
            case SIGTERM: name = "SIGTERM"
            case SIGBUS: name = "SIGBUS"
            case SIGILL: name = "SIGILL"
            case SIGTRAP: name = "SIGTRAP"
            default: name = "signal \(signal)"
            }
            return "killed by \(name)"
        }
        return "exited with status \(exitCode ?? -1)"
    }
}

final class Supervisor {
    struct Configuration: Sendable {
        var count: Int
        /// The `gongkai` executable to run as `gongkai worker …`.
        var executable: String
        /// Arguments after the executable, without `--id`; the supervisor appends `--id wN`.
        var arguments: [String]
        /// A restart after a worker that died before it registered waits this long, doubling up to
        /// `maxBackoff` while starts keep failing (a bad binary, endpoint or resource limit).
        var firstBackoff: Duration = .milliseconds(250)
        var maxBackoff: Duration = .seconds(30)
        /// A worker that registered (READY) or lived this long restarts at once (100 ms): its death
        /// was its task's doing (a poison file, a hang kill, an external kill), and the coordinator
        /// counts and quarantines such files.
        var healthyAfter: Duration = .seconds(10)
    }

    private struct Slot {
        let name: String
        var pid: pid_t?
        var startedAt: Int64 = 0
        var healthy = false
        var failures = 0
        var restartAt: Int64?
    }

    private let configuration: Configuration
    private let logger: Logger
    private var slots: [Slot]
    /// Workers restarted since start.
    private(set) var restarts = 0

    init(configuration: Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        slots = (0..<configuration.count).map { Slot(name: "w\($0 + 1)") }
    }

    /// Process ids of the live children.
    var livePids: [pid_t] { slots.compactMap(\.pid) }

    /// Whether `pid` is a worker this supervisor started and has not reaped.
    func isChild(_ pid: pid_t) -> Bool { slots.contains { $0.pid == pid } }

    func name(of pid: pid_t) -> String? { slots.first { $0.pid == pid }?.name }

    /// Starts every worker.
    func startAll() {
        let now = Monotonic.now()
        for index in slots.indices { spawn(index, now: now) }
    }

    /// The worker with this pid has registered: a later death restarts it without back-off.
    func markHealthy(_ pid: pid_t) {
        if let index = slots.firstIndex(where: { $0.pid == pid }), !slots[index].healthy {
            slots[index].healthy = true
            slots[index].failures = 0
        }
    }

    /// Reaps exited workers and restarts those whose back-off has passed.
    ///
    /// - Parameter restart: `false` while shutting down.
    /// - Returns: the workers that exited since the last call.
    func tick(now: Int64, restart: Bool = true) -> [(pid: pid_t, name: String, exit: ProcessExit)] {
        var exited: [(pid: pid_t, name: String, exit: ProcessExit)] = []
        for index in slots.indices {
            guard let pid = slots[index].pid else { continue }
            var status: Int32 = 0
            let rc = waitpid(pid, &status, WNOHANG)
            guard rc == pid || (rc < 0 && errno == ECHILD) else { continue }
            let exit = ProcessExit(status: rc == pid ? status : 0)
            exited.append((pid, slots[index].name, exit))
            slots[index].pid = nil
            let lived = now - slots[index].startedAt
            if slots[index].healthy || lived >= Monotonic.nanoseconds(configuration.healthyAfter) {
                slots[index].failures = 0
            } else {
                slots[index].failures += 1
            }
            let backoff: Int64
            if slots[index].failures == 0 {
                backoff = 100_000_000
            } else {
                let first = Monotonic.nanoseconds(configuration.firstBackoff)
                let shift = Int64(min(slots[index].failures - 1, 20))
                backoff = min(first << shift, Monotonic.nanoseconds(configuration.maxBackoff))
            }
            slots[index].restartAt = now + backoff
        }
        if restart {
            for index in slots.indices where slots[index].pid == nil {
                if let due = slots[index].restartAt, due <= now {
                    restarts += 1
                    spawn(index, now: now)
                }
            }
        }
        return exited
    }

    /// Sends `signal` to a child (never to a process this supervisor did not start).
    func kill(_ pid: pid_t, _ signal: Int32) {
        guard isChild(pid) else { return }
        _ = Glibc.kill(pid, signal)
    }

    /// Stops every child and waits for all: a second for them to exit on the DISCONNECT they were
    /// sent, then SIGTERM, then SIGKILL for those still running after `grace`.
    func stopAll(grace: Duration) {
        let start = Monotonic.now()
        let deadline = start + Monotonic.nanoseconds(grace)
        var signalled = false
        while true {
            let now = Monotonic.now()
            _ = tick(now: now, restart: false)
            let live = livePids
            if live.isEmpty { return }
            if !signalled && now - start >= 1_000_000_000 {
                logger.info("sending SIGTERM to \(live.count) worker(s) still running")
                for pid in live { _ = Glibc.kill(pid, SIGTERM) }
                signalled = true
            }
            if Monotonic.now() >= deadline {
                for pid in live {
                    logger.warning("worker pid \(pid) did not stop after SIGTERM; sending SIGKILL")
                    _ = Glibc.kill(pid, SIGKILL)
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                }
                for index in slots.indices { slots[index].pid = nil }
                return
            }
            usleep(20_000)
        }
    }

    private func spawn(_ index: Int, now: Int64) {
        let name = slots[index].name
        let arguments = [configuration.executable] + configuration.arguments + ["--id", name]
        slots[index].restartAt = nil
        slots[index].startedAt = now
        slots[index].healthy = false
        switch Self.spawn(arguments) {
        case .success(let pid):
            slots[index].pid = pid
            logger.info("started worker \(name) (pid \(pid))", metadata: ["worker.id": "\(name)", "worker.pid": "\(pid)"])
        case .failure(let error):
            slots[index].failures += 1
            let shift = Int64(min(slots[index].failures - 1, 20))
            slots[index].restartAt = now + min(Monotonic.nanoseconds(configuration.firstBackoff) << shift,
                                               Monotonic.nanoseconds(configuration.maxBackoff))
            logger.error("cannot start worker \(name): \(error)", metadata: ["worker.id": "\(name)"])
        }
    }

    /// `posix_spawn` with a clean signal state (the coordinator blocks SIGINT/SIGTERM in all its
    /// threads; a child must not inherit that), stdin from /dev/null, in its own process group so a
    /// terminal's Ctrl-C reaches only the coordinator, which then drains and stops the workers.
    static func spawn(_ arguments: [String]) -> Result<pid_t, ClusterError> {
        var attributes = posix_spawnattr_t()
        var actions = posix_spawn_file_actions_t()
        posix_spawnattr_init(&attributes)
        posix_spawn_file_actions_init(&actions)
        defer {
            posix_spawnattr_destroy(&attributes)
            posix_spawn_file_actions_destroy(&actions)
        }
        var empty = sigset_t()
        sigemptyset(&empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        argv.append(nil)
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard rc == 0 else {
            return .failure(ClusterError("posix_spawn \(arguments[0]): \(String(cString: strerror(rc)))"))
        }
        return .success(pid)
    }

    /// The path of the running executable (`/proc/self/exe`), to start workers of the same build.
    static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, Int(PATH_MAX))
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
