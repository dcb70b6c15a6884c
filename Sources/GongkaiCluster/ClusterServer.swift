// `gongkai serve`: one process holding the coordinator (this thread), the collector and the job
// feeder (their own threads), a signal watcher, and the supervisor of N worker processes.

import Foundation
import GongkaiDecode
import GongkaiPostgres
import GongkaiStore
import GongkaiWire
import Logging
import ZeroMQ

/// Everything `gongkai serve` needs.
public struct ServeSettings: Sendable {
    /// The run directory (mode 0700): sockets, lock, pid file, `store.path`.
    public var runDirectory: String
    /// The summary store: an SQLite file (its directory is created if missing), or a
    /// `postgres://` URL (``StoreLocation``).
    public var storePath: String
    /// Worker processes to start and supervise (0: only external workers).
    public var workers: Int
    /// Extra endpoints for the worker socket (`--bind tcp://…`) and the control socket (`--control-bind`).
    public var extraWorkEndpoints: [String]
    public var extraControlEndpoints: [String]
    /// The coordinator's key pair and the allow-list for tcp endpoints (CURVE); required when any
    /// endpoint is tcp.
    public var curve: CurveServerKeys?
    public var credit: Int
    public var taskTimeout: Duration
    public var drainTimeout: Duration
    public var sizeLimit: Int
    /// Most results per store transaction, and the longest a result waits for its batch.
    public var commitBatch: Int
    public var commitDelay: Duration
    /// The log level handed to the workers (`--log-level`).
    public var workerLogLevel: Logger.Level
    /// How much the workers raise their niceness above the coordinator's (0–19, clamped; `gongkai
    /// worker --nice`). Workers on the coordinator's host compete for its cores with the collector
    /// and the coordinator, the serial stages that every worker waits for: lower-priority workers
    /// keep those stages fed.
    public var workerNice: Int
    /// The executable started as `… worker`; default: this process's own (`/proc/self/exe`).
    public var executable: String?

    public init(runDirectory: String, storePath: String, workers: Int, extraWorkEndpoints: [String] = [],
                extraControlEndpoints: [String] = [], curve: CurveServerKeys? = nil, credit: Int = 16, taskTimeout: Duration = .seconds(30),
                drainTimeout: Duration = .seconds(30), sizeLimit: Int = ReadOptions.defaultSizeLimit,
                commitBatch: Int = 2000, commitDelay: Duration = .milliseconds(50), workerLogLevel: Logger.Level = .info,
                workerNice: Int = ServeSettings.defaultWorkerNice, executable: String? = nil) {
        self.runDirectory = runDirectory
        self.storePath = storePath
        self.workers = workers
        self.extraWorkEndpoints = extraWorkEndpoints
        self.extraControlEndpoints = extraControlEndpoints
        self.curve = curve
        self.credit = credit
        self.taskTimeout = taskTimeout
        self.drainTimeout = drainTimeout
        self.sizeLimit = sizeLimit
        self.commitBatch = commitBatch
        self.commitDelay = commitDelay
        self.workerLogLevel = workerLogLevel
        self.workerNice = workerNice
        self.executable = executable
    }

    /// 10: on 2 cores with 2 workers, 100,000 reports went from 15,400–16,100 to 16,900–17,200
    /// reports/s, 3 runs each back to back (docs/cluster.md, Performance).
    public static let defaultWorkerNice = 10
}

public enum ClusterServer {
    /// Runs a coordinator until SIGINT, SIGTERM or a SHUTDOWN request has drained it.
    ///
    /// Must be called on a dedicated thread (the `serve` command's main thread) before any other
    /// thread of the process exists: it blocks SIGINT/SIGTERM/SIGHUP for every thread it starts,
    /// and a signal watcher thread takes them with `sigwait`.
    ///
    /// - Throws: ``ClusterError`` (or a store/zmq error) when the cluster cannot start, e.g. when
    ///   another coordinator holds the run directory. After start, errors are logged.
    public static func serve(_ settings: ServeSettings, logger: Logger) throws {
        // Signals: blocked here, inherited by every thread started below, taken by sigwait.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        signal(SIGPIPE, SIG_IGN)

        let runDirectory: RunDirectory
        do {
            runDirectory = try RunDirectory(path: settings.runDirectory)
        } catch let error as RunDirectoryError {
            throw ClusterError(error.description)
        }
        var cleaned = false
        defer { if !cleaned { runDirectory.cleanUp() } }

        var location = StoreLocation(settings.storePath)
        if case .sqlite(let path) = location {
            location = .sqlite(path: RunDirectory.absolute(path))
            try RunDirectory.makeParentDirectories(of: location.text)
        }
        let store = try SummaryStores.open(location, logger: logger)
        try runDirectory.writeStorePath(location.text)
        guard let executable = settings.executable ?? Supervisor.currentExecutable() else {
            throw ClusterError("cannot find this executable (/proc/self/exe) to start workers")
        }

        let context = try ZMQContext(ioThreads: 1)
        let events = try Mailbox<CoordinatorEvent>()
        let collector = Collector(configuration: CollectorConfiguration(
            batchSize: settings.commitBatch, maxDelay: settings.commitDelay, queueLimit: 2 * settings.commitBatch))
        let feeder = JobFeeder(configuration: FeederConfiguration(taskTimeout: settings.taskTimeout))

        var workerArguments = [
            "worker", "--connect", runDirectory.workEndpoint, "--credit", "\(settings.credit)",
            "--size-limit", "\(settings.sizeLimit)", "--log-level", settings.workerLogLevel.rawValue,
            "--parent", "\(getpid())", "--nice", "\(min(max(settings.workerNice, 0), 19))",
        ]
        if settings.workers == 0 { workerArguments = [] }
        let supervisor = Supervisor(
            configuration: .init(count: settings.workers, executable: executable, arguments: workerArguments),
            logger: logger)
        let coordinatorSettings = CoordinatorSettings(
            workEndpoints: [runDirectory.workEndpoint] + settings.extraWorkEndpoints,
            controlEndpoints: [runDirectory.controlEndpoint] + settings.extraControlEndpoints,
            credit: settings.credit, taskTimeout: settings.taskTimeout, drainTimeout: settings.drainTimeout,
            sizeLimit: settings.sizeLimit, curve: settings.curve)
        let coordinator = try Coordinator(
            settings: coordinatorSettings, context: context, store: store, events: events, collector: collector,
            feeder: feeder, supervisor: supervisor, workerSlots: settings.workers, logger: logger)

        let watched = signals
        let watcher = try OSThread(name: "gk-signals") {
            var set = watched
            while true {
                var received: Int32 = 0
                if sigwait(&set, &received) == 0 { events.post(.signal(received)) }
            }
        }
        _ = watcher
        let collectorThread = try OSThread(name: "gk-collector") {
            collector.run(store: store, logger: logger, events: events)
        }
        let feederThread = try OSThread(name: "gk-feeder") {
            feeder.run(store: store, logger: logger, events: events)
        }

        logger.info(
            "coordinator pid \(getpid()) serving \(coordinatorSettings.workEndpoints.joined(separator: ", ")) with \(settings.workers) worker(s), credit \(settings.credit); control \(coordinatorSettings.controlEndpoints.joined(separator: ", ")); store \(location)")
        coordinator.run()

        // Drained: stop the workers (they were sent DISCONNECT), then the threads, then clean up.
        supervisor.stopAll(grace: .seconds(5))
        feeder.post(.stop)
        collector.finish()
        feederThread.join()
        collectorThread.join()
        coordinator.close()
        context.terminate()
        do {
            try store.checkpoint()
        } catch {
            logger.warning("store checkpoint failed: \(error)")
        }
        let stats = coordinator.stats()
        runDirectory.cleanUp()
        cleaned = true
        let dropped = stats.malformedDropped.work + stats.malformedDropped.control
        logger.info(
            "coordinator stopped: \(stats.committed) results committed, \(stats.workerRestarts) worker restart(s), \(stats.quarantined) quarantined, \(dropped) malformed message(s) dropped")
    }
}
