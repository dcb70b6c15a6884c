// `gongkai serve` (coordinator + collector + supervised workers) and `gongkai worker` (one worker
// process; `serve` starts these itself, and remote hosts may run them by hand).

import ArgumentParser
import Foundation
import GongkaiCluster
import GongkaiDecode
import Logging

#if canImport(Glibc)
import Glibc
#endif

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the cluster: a coordinator, N worker processes and the collector writing the summary store.",
        discussion: """
            Listens on ipc://<run-dir>/work.sock (workers) and ipc://<run-dir>/control.sock (gongkai submit, \
            status, shutdown, or any client of the control protocol in docs/wire-protocol.md). Jobs are kept \
            in the store: a coordinator started again on the same store resumes unfinished jobs. SIGINT or \
            SIGTERM (or `gongkai shutdown`) stops dispatching, waits for the tasks in flight, commits, stops \
            the workers and removes the sockets. Remote workers join over --bind tcp://…: every tcp \
            connection is CURVE-encrypted and must present a public key listed in --authorized-keys (refusals \
            are logged and counted in `status`); SIGHUP reloads that list. See docs/cluster.md.
            """
    )

    @Option(name: .long, help: "Worker processes to start and supervise; the default is this machine's number of cores.")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(name: .long, help: "The summary store: an SQLite file (default $GONGKAI_DATA_DIR/gongkai.sqlite, $XDG_DATA_HOME/gongkai/gongkai.sqlite or ~/.local/share/gongkai/gongkai.sqlite), or a PostgreSQL database, postgres://user:password@host:port/database (docs/store.md).")
    var store: String?

    @Option(name: .long, help: "The run directory for sockets, lock and pid file (default: $GONGKAI_RUN_DIR, $XDG_RUNTIME_DIR/gongkai or /tmp/gongkai-<uid>). Keep it short: ipc socket paths are limited to 107 bytes.")
    var runDir: String?

    @Option(name: .long, help: "Also accept workers on this endpoint, e.g. tcp://0.0.0.0:5555. tcp endpoints are CURVE-encrypted and accept only --authorized-keys. Repeatable.")
    var bind: [String] = []

    @Option(name: .long, help: "Also accept control clients on this endpoint, e.g. tcp://10.0.0.1:5556 (tcp: CURVE and --authorized-keys, as --bind). Repeatable.")
    var controlBind: [String] = []

    @Option(name: .long, help: "The coordinator's CURVE secret key file (from `gongkai keys generate`; mode 0600). Required with tcp endpoints.")
    var serverKey: String?

    @Option(name: .long, help: "Public keys allowed on tcp endpoints: a file of Z85 keys, one per line (# comments), or a directory of *.pub files. Required with tcp endpoints; SIGHUP reloads it.")
    var authorizedKeys: String?

    @Option(name: .long, help: "Tasks each worker may hold at once (at least 1; 16 or more keeps the transport at its limit).")
    var credit: Int = 16

    @Option(name: .long, help: "A task still running after this long is a hang: its worker is killed and the task retried (e.g. 30s, 500ms, 2m).")
    var taskTimeout: DurationArgument = DurationArgument(.seconds(30))

    @Option(name: .long, help: "On SIGINT/SIGTERM/shutdown, wait this long for tasks in flight before stopping.")
    var drainTimeout: DurationArgument = DurationArgument(.seconds(30))

    @Option(name: .long, help: "Files larger than this many bytes are recorded as too_large without being read.")
    var sizeLimit: Int = ReadOptions.defaultSizeLimit

    @Option(name: .long, help: "Most results per store transaction.")
    var commitBatch: Int = 2000

    @Option(name: .long, help: "The longest a result waits for its batch to fill before it is committed anyway.")
    var commitDelay: DurationArgument = DurationArgument(.milliseconds(50))

    @Option(name: .long, help: "Raise the niceness of the workers this coordinator starts by this much (0-19): they yield the CPU to the coordinator and the collector, which every worker waits for.")
    var workerNice: Int = ServeSettings.defaultWorkerNice

    @Option(name: .long, help: "Log level of the coordinator and its workers (to standard error).")
    var logLevel: LogLevelArgument = .info

    func validate() throws {
        if workerNice < 0 || workerNice > 19 { throw ValidationError("--worker-nice must be between 0 and 19.") }
        if commitBatch < 1 || commitBatch > 100_000 { throw ValidationError("--commit-batch must be between 1 and 100000.") }
        if workers < 0 || workers > 256 { throw ValidationError("--workers must be between 0 and 256.") }
        if credit < 1 || credit > 1024 { throw ValidationError("--credit must be between 1 and 1024.") }
        if sizeLimit < 1 { throw ValidationError("--size-limit must be positive.") }
        if taskTimeout.duration <= .zero { throw ValidationError("--task-timeout must be positive.") }
        for endpoint in bind + controlBind where !endpoint.hasPrefix("tcp://") && !endpoint.hasPrefix("ipc://") {
            throw ValidationError("endpoints look like tcp://host:port or ipc:///path, not \(endpoint)")
        }
        if let tcp = (bind + controlBind).first(where: { $0.hasPrefix("tcp://") }), serverKey == nil || authorizedKeys == nil {
            throw ValidationError(
                "\(tcp) needs --server-key (the coordinator's secret key file) and --authorized-keys (the public keys of the workers and clients allowed in): tcp connections are CURVE-authenticated and encrypted. Make keys with `gongkai keys generate`; see docs/cluster.md.")
        }
        if (serverKey == nil) != (authorizedKeys == nil) {
            throw ValidationError("--server-key and --authorized-keys go together")
        }
    }

    func run() throws {
        let level = logLevel.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "gongkai.coordinator")
        let curve: CurveServerKeys?
        do {
            curve = try serverKey.map { key throws(KeyFileError) in
                try CurveServerKeys.load(serverKey: key, authorizedKeys: authorizedKeys ?? "")
            }
        } catch {
            FileOutput.stderr.write("gongkai serve: \(error)\n")
            throw ExitCode(1)
        }
        if let curve, curve.authorized.count == 0 {
            logger.warning("no public keys in \(curve.authorized.source): no worker can connect over tcp until keys are added (then send SIGHUP)")
        }
        let settings = ServeSettings(
            runDirectory: runDir ?? RunDirectory.defaultPath,
            storePath: store ?? ServePaths.defaultStorePath,
            workers: workers,
            extraWorkEndpoints: bind,
            extraControlEndpoints: controlBind,
            curve: curve,
            credit: credit,
            taskTimeout: taskTimeout.duration,
            drainTimeout: drainTimeout.duration,
            sizeLimit: sizeLimit,
            commitBatch: commitBatch,
            commitDelay: commitDelay.duration,
            workerLogLevel: level,
            workerNice: workerNice)
        do {
            try ClusterServer.serve(settings, logger: logger)
        } catch {
            FileOutput.stderr.write("gongkai serve: \(error)\n")
            throw ExitCode(1)
        }
    }
}

struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run one worker process connected to a coordinator (`serve` starts these itself).",
        discussion: """
            Connects a DEALER socket to the coordinator's worker endpoint, announces --credit, and parses the \
            files it is sent (ipc://: it reads the paths itself; tcp://: the coordinator sends the bytes, over \
            CURVE with --key and --server-key). \
            It heartbeats every second, reconnects with back-off when the coordinator falls silent, and exits \
            when refused, when told to stop, or when no coordinator answered for --give-up-after. \
            Test-only fault injection: GONGKAI_FAULT_CRASH_ON=<substring> aborts, GONGKAI_FAULT_HANG_ON=<substring> \
            stalls forever on files whose path contains it. Never set these in production.
            """
    )

    @Option(name: .long, help: "The coordinator's worker endpoint, e.g. ipc:///tmp/gongkai-1000/work.sock or tcp://host:5555.")
    var connect: String

    @Option(name: .long, help: "Tasks this worker accepts at once.")
    var credit: Int = 16

    @Option(name: .long, help: "This worker's name in the coordinator's logs (default: host:pid).")
    var id: String?

    @Option(name: .long, help: "Files larger than this many bytes are not read.")
    var sizeLimit: Int = ReadOptions.defaultSizeLimit

    @Option(name: .long, help: "Exit after this long without a coordinator (e.g. 5m).")
    var giveUpAfter: DurationArgument = DurationArgument(.seconds(300))

    @Option(name: .long, help: "Log level (to standard error).")
    var logLevel: LogLevelArgument = .info

    @Option(name: .long, help: "This worker's CURVE secret key file (from `gongkai keys generate`; mode 0600). Required with tcp://.")
    var key: String?

    @Option(name: .long, help: "The coordinator's CURVE public key file (its NAME.pub). Required with tcp://.")
    var serverKey: String?

    @Option(name: .long, help: "Raise this worker's niceness by this much (0-19; lower CPU priority) before it starts; `gongkai serve` starts its workers with --worker-nice.")
    var nice: Int = 0

    @Option(name: .long, help: ArgumentHelp("The supervising coordinator's pid: exit when it is gone.", visibility: .hidden))
    var parent: Int32?

    func validate() throws {
        if nice < 0 || nice > 19 { throw ValidationError("--nice must be between 0 and 19.") }
        if !connect.hasPrefix("tcp://") && !connect.hasPrefix("ipc://") {
            throw ValidationError("--connect takes tcp://host:port or ipc:///path/work.sock")
        }
        if connect.hasPrefix("tcp://") && (key == nil || serverKey == nil) {
            throw ValidationError(
                "--connect \(connect) needs --key (this worker's secret key file) and --server-key (the coordinator's public key file): tcp connections are CURVE-authenticated and encrypted. Make keys with `gongkai keys generate`; see docs/cluster.md.")
        }
        if !connect.hasPrefix("tcp://") && (key != nil || serverKey != nil) {
            throw ValidationError("--key and --server-key are for tcp:// endpoints; ipc:// peers are checked by uid")
        }
        if credit < 1 || credit > 1024 { throw ValidationError("--credit must be between 1 and 1024.") }
    }

    func run() throws {
        let level = logLevel.level
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let name = id ?? "\(ProcessInfo.processInfo.hostName):\(getpid())"
        var logger = Logger(label: "gongkai.worker")
        logger[metadataKey: "worker.id"] = "\(name)"
        let curve: CurveClientKeys?
        do {
            curve = try key.map { key throws(KeyFileError) in try CurveClientKeys.load(key: key, serverKey: serverKey ?? "") }
        } catch {
            FileOutput.stderr.write("gongkai worker: \(error)\n")
            throw ExitCode(4)
        }
        let settings = WorkerSettings(
            endpoint: connect, credit: credit, workerId: name, sizeLimit: sizeLimit, parentPid: parent,
            giveUpAfter: giveUpAfter.duration, faults: .fromEnvironment(), curve: curve, nice: nice)
        let code = WorkerRuntime.run(settings, logger: logger)
        Output.flush()
        Glibc.exit(code)
    }
}

enum ServePaths {
    /// `$GONGKAI_DATA_DIR/gongkai.sqlite`, `$XDG_DATA_HOME/gongkai/gongkai.sqlite` or `~/.local/share/gongkai/gongkai.sqlite`.
    static var defaultStorePath: String {
        let environment = ProcessInfo.processInfo.environment
        if let dir = environment["GONGKAI_DATA_DIR"], !dir.isEmpty { return dir + "/gongkai.sqlite" }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/gongkai/gongkai.sqlite" }
        return (environment["HOME"] ?? "/tmp") + "/.local/share/gongkai/gongkai.sqlite"
    }
}

/// `--log-level` values (swift-log's levels).
enum LogLevelArgument: String, ExpressibleByArgument, CaseIterable {
    case trace, debug, info, notice, warning, error, critical

    var level: Logger.Level {
        switch self {
        case .trace: .trace
        case .debug: .debug
        case .info: .info
        case .notice: .notice
        case .warning: .warning
        case .error: .error
        case .critical: .critical
        }
    }
}

/// A duration on the command line: `30s`, `500ms`, `2m`, `1h`, or a plain number of seconds.
struct DurationArgument: ExpressibleByArgument, CustomStringConvertible {
    var duration: Duration

    init(_ duration: Duration) { self.duration = duration }

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        var number = text
        var scale = 1.0
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            number = String(text.dropLast(suffix.count))
            scale = factor
            break
        }
        guard let value = Double(number), value >= 0, value.isFinite else { return nil }
        duration = .milliseconds(Int64((value * scale * 1000).rounded()))
    }

    var description: String {
        let (seconds, attoseconds) = duration.components
        if attoseconds == 0 { return "\(seconds)s" }
        return "\(seconds * 1000 + attoseconds / 1_000_000_000_000_000)ms"
    }

    var defaultValueDescription: String { description }
}
