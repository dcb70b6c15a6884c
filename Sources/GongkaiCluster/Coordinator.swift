// The coordinator loop: one dedicated thread owning the ROUTER `work` and `control` sockets, the
// ZAP handler and the mailbox eventfd in one zmq_poll set. It registers workers, dispatches tasks
// by credit, holds a lease per task, detects dead, silent and hung workers, re-dispatches their
// tasks, answers control requests, forwards results (still encoded) to the collector, and counts
// what it drops. Everything that blocks on SQLite writes lives on the feeder and collector threads.

import Foundation
import GongkaiCore
import GongkaiDecode
import GongkaiStore
import GongkaiWire
import Histogram
import Logging
import ZeroMQ

/// How a coordinator runs; see `gongkai serve --help`.
public struct CoordinatorSettings: Sendable {
    /// Where workers connect: the run directory's `work.sock` plus any `--bind` endpoints.
    public var workEndpoints: [String]
    /// Where control clients connect: `control.sock` plus any `--control-bind` endpoints.
    public var controlEndpoints: [String]
    /// Credit the coordinator's own workers announce.
    public var credit: Int
    /// A task that is the oldest at its worker for longer than this is a hang.
    public var taskTimeout: Duration
    /// How long a graceful stop waits for in-flight tasks.
    public var drainTimeout: Duration
    /// `TASK.sizeLimit`: larger files are reported `too_large` unread.
    public var sizeLimit: Int
    /// Crash or hang attempts before a file is quarantined.
    public var maxCrashes: Int
    /// The keys for tcp endpoints, which are CURVE servers accepting only allow-listed public keys.
    /// Required when any endpoint is tcp; ipc endpoints never use it.
    public var curve: CurveServerKeys?

    public init(workEndpoints: [String], controlEndpoints: [String], credit: Int = 16, taskTimeout: Duration = .seconds(30),
                drainTimeout: Duration = .seconds(30), sizeLimit: Int = ReadOptions.defaultSizeLimit, maxCrashes: Int = 3,
                curve: CurveServerKeys? = nil) {
        self.workEndpoints = workEndpoints
        self.controlEndpoints = controlEndpoints
        self.credit = credit
        self.taskTimeout = taskTimeout
        self.drainTimeout = drainTimeout
        self.sizeLimit = sizeLimit
        self.maxCrashes = maxCrashes
        self.curve = curve
    }
}

/// Socket limits: the largest legal inbound message on each socket (bounded by libzmq before it
/// buffers anything, and again by the receive loop).
enum SocketLimits {
    /// RESULT: 18 bytes of fields + a report of at most 16 MiB, with room for later revisions.
    static let workFrame: Int64 = Int64(WireLimits.default.report) + 64 * 1024
    /// Control JSON of at most 1 MiB.
    static let controlFrame: Int64 = Int64(ControlLimits.maxJSONBytes) + 64 * 1024
    /// Messages queued per peer, each direction. Credit bounds what a worker may have in flight.
    static let highWaterMark = 4096
}

final class Coordinator {
    // MARK: State

    /// A registered worker. Lives on the coordinator thread.
    final class WorkerState {
        let identity: [UInt8]
        let name: String
        let pid: Int32
        let hostname: String
        let credit: Int
        let localPaths: Bool
        /// A process this coordinator's supervisor started (it may kill it).
        let isChild: Bool
        /// Tasks in flight, in dispatch order.
        var leases: [Lease] = []
        /// When the oldest lease became the oldest (the hang clock).
        var headSince: Int64 = 0
        var lastHeard: Int64
        var lastSent: Int64
        /// Holds a task on probation alone; no other task is sent to it.
        var isolating = false
        var results = 0

        init(identity: [UInt8], ready: ReadyMessage, credit: Int, isChild: Bool, now: Int64) {
            self.identity = identity
            name = ready.workerId
            pid = Int32(bitPattern: ready.pid)
            hostname = ready.hostname
            self.credit = credit
            localPaths = ready.localPaths
            self.isChild = isChild
            lastHeard = now
            lastSent = now
        }
    }

    struct Lease {
        var task: PendingTask
    }

    /// Who is to blame for the leases of a worker that goes away.
    enum Blame {
        /// Every task it held gets this outcome.
        case all(AttemptFailure)
        /// The oldest task gets `head`; the others `others`.
        case head(AttemptFailure, others: AttemptFailure)
    }

    enum Phase: Equatable {
        case running
        case draining(deadline: Int64)
        case stopped
    }

    private let settings: CoordinatorSettings
    private let logger: Logger
    private let store: any SummaryStoring
    private let context: ZMQContext
    private let events: Mailbox<CoordinatorEvent>
    private let collector: Collector
    private let feeder: JobFeeder
    private let supervisor: Supervisor
    private let hostname: String
    private let started = Monotonic.now()

    private let work: ZMQSocket
    private let control: ZMQSocket
    private let zap: ZMQSocket
    /// PAIR sockets receiving the handshake failures of `work` and `control` (zmq_socket_monitor).
    private let monitors: [ZMQSocket]
    private let poller = ZMQPoller()
    private let workIndex: Int
    private let controlIndex: Int
    private let zapIndex: Int
    private let wakeIndex: Int
    private let monitorIndices: [Int]
    private var authenticator: Authenticator

    private var workers: [[UInt8]: WorkerState] = [:]
    private var workerOrder: [WorkerState] = []
    private var rotation = 0
    /// A worker that receives no new task until it is empty, so a suspect can run alone on it.
    private var reserved: WorkerState?

    private var queue = TaskQueue()
    private var retries: [PendingTask] = []
    private var suspects: [PendingTask] = []
    private var requested = 0
    /// Tasks held ready for dispatch (~150 bytes each). The feeder refills it when a quarter is
    /// gone, but a walk slice waits for the store's writer while the collector commits (up to
    /// ~100 ms for 2,000 results): 16,384 tasks last about a second at 17,000 reports/s, so the
    /// workers never run dry meanwhile (2,048 did: 13,400 reports/s against 16,000 with 8,192
    /// on 100,000 reports), and a quarter of it makes walk slices of 4,096.
    private let window: Int

    private var outstanding: [Int64: Int] = [:]
    private var exhausted: Set<Int64> = []
    private var jobClock: [Int64: Int64] = [:]

    private var malformedWork = 0
    private var malformedControl = 0
    private var staleResults = 0
    private var committed = 0
    /// Task latency, dispatch → committed, in microseconds (HDR histogram: 1 µs … 1 h, 3 significant digits).
    private var latency = Histogram<UInt64>(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    private var quarantined = 0
    private var uncommitted = 0
    /// Results accepted during one ``receiveWork()`` burst, handed to the collector in one push.
    private var accepted: [CollectorItem] = []
    private var lastProgressLog: Int64
    private var committedAtLastLog = 0
    private var dropLog = DropLog()
    /// Connections the ZAP handler refused, and handshakes that failed before ZAP (plain or wrong-key clients on tcp).
    private var zapRefused = 0
    private var handshakeFailed = 0
    private var refusalLog = DropLog()

    private(set) var phase = Phase.running

    // MARK: Setup

    /// Creates and binds the sockets. Call on the thread that will call ``run()``.
    init(settings: CoordinatorSettings, context: ZMQContext, store: any SummaryStoring, events: Mailbox<CoordinatorEvent>,
         collector: Collector, feeder: JobFeeder, supervisor: Supervisor, workerSlots: Int, logger: Logger) throws {
        self.settings = settings
        self.context = context
        self.store = store
        self.events = events
        self.collector = collector
        self.feeder = feeder
        self.supervisor = supervisor
        self.logger = logger
        hostname = ProcessInfo.processInfo.hostName
        window = max(16_384, 4 * max(1, workerSlots) * settings.credit)
        lastProgressLog = started
        authenticator = Authenticator(uid: getuid(), authorized: settings.curve?.authorized)

        // ZAP (RFC 27) first: connections to sockets with a ZAP domain are checked by it.
        zap = try context.socket(.rep)
        try zap.set(.linger(milliseconds: 0))
        try zap.bind("inproc://zeromq.zap.01")

        work = try context.socket(.router)
        try work.set([
            .routerMandatory(true),
            .linger(milliseconds: 1000),
            .sendHighWaterMark(SocketLimits.highWaterMark),
            .receiveHighWaterMark(SocketLimits.highWaterMark),
            .maxMessageSize(SocketLimits.workFrame),
            .zapDomain("gongkai"),
        ])
        work.receiveLimits = ZMQReceiveLimits(maxFrames: 3 + WireProtocol.maxBatch, maxBytes: Int(SocketLimits.workFrame) + 64)
        control = try context.socket(.router)
        try control.set([
            .routerMandatory(true),
            .linger(milliseconds: 1000),
            .sendHighWaterMark(256),
            .receiveHighWaterMark(256),
            .maxMessageSize(SocketLimits.controlFrame),
            .zapDomain("gongkai"),
        ])
        control.receiveLimits = ZMQReceiveLimits(maxFrames: 8, maxBytes: Int(SocketLimits.controlFrame) + 64)
        try Self.bind(work, "worker", settings.workEndpoints, curve: settings.curve, logger: logger)
        try Self.bind(control, "control", settings.controlEndpoints, curve: settings.curve, logger: logger)
        var monitors: [ZMQSocket] = []
        for (socket, name) in [(work, "work"), (control, "control")] {
            let endpoint = "inproc://gongkai.monitor.\(name)"
            try socket.monitor(endpoint, events: [.handshakeFailedProtocol, .handshakeFailedNoDetail])
            let monitor = try context.socket(.pair)
            try monitor.set(.linger(milliseconds: 0))
            try monitor.connect(endpoint)
            monitors.append(monitor)
        }
        self.monitors = monitors
        workIndex = poller.add(work)
        controlIndex = poller.add(control)
        zapIndex = poller.add(zap)
        wakeIndex = poller.add(fd: events.wakeup.fd)
        var monitorIndices: [Int] = []
        for monitor in monitors { monitorIndices.append(poller.add(monitor)) }
        self.monitorIndices = monitorIndices
    }

    /// Binds ipc endpoints first (NULL mechanism, uid checked by ZAP), then makes the socket a CURVE
    /// server and binds the tcp endpoints: libzmq copies a socket's options into each listener when
    /// it binds, so one socket serves both (tested in ZeroMQTests).
    private static func bind(_ socket: ZMQSocket, _ name: String, _ endpoints: [String], curve: CurveServerKeys?,
                             logger: Logger) throws {
        let tcp = endpoints.filter { $0.hasPrefix("tcp://") }
        for endpoint in endpoints where !endpoint.hasPrefix("tcp://") {
            do { try socket.bind(endpoint) } catch { throw ClusterError("cannot bind the \(name) socket to \(endpoint): \(error)") }
        }
        guard !tcp.isEmpty else { return }
        guard let curve else {
            throw ClusterError("\(name) endpoint \(tcp[0]) needs CURVE keys: give --server-key and --authorized-keys (see docs/cluster.md)")
        }
        try socket.set([.curveServer(true), .curveSecretKey(curve.server.secretKey)])
        for endpoint in tcp {
            do { try socket.bind(endpoint) } catch { throw ClusterError("cannot bind the \(name) socket to \(endpoint): \(error)") }
            logger.info(
                "\(name) endpoint \(endpoint): CURVE, server key \(curve.server.publicKey.z85.prefix(8))…, accepting the \(curve.authorized.count) public key(s) in \(curve.authorized.source)")
        }
    }

    /// Closes the sockets (after ``run()``), delivering what is queued within their linger.
    func close() {
        work.close()
        control.close()
        zap.close()
        for monitor in monitors { monitor.close() }
    }

    // MARK: The loop

    /// Runs until a graceful stop has drained (signal or SHUTDOWN), then disconnects the workers.
    func run() {
        supervisor.startAll()
        requestTasks()
        let tickInterval: Int64 = 100_000_000
        var nextTick = Monotonic.now() + tickInterval
        while phase != .stopped {
            let timeout = max(0, nextTick - Monotonic.now())
            do {
                _ = try poller.poll(timeout: .nanoseconds(timeout))
            } catch {
                logger.critical("zmq_poll failed: \(error); stopping")
                break
            }
            if poller.events(at: wakeIndex).contains(.readable) {
                events.wakeup.drain()
                for event in events.takeAll() { handle(event) }
            }
            if poller.events(at: zapIndex).contains(.readable) { serveZap() }
            for (index, monitor) in zip(monitorIndices, monitors) where poller.events(at: index).contains(.readable) {
                readMonitor(monitor)
            }
            if poller.events(at: controlIndex).contains(.readable) { receiveControl() }
            if poller.events(at: workIndex).contains(.readable) { receiveWork() }
            dispatch()
            requestTasks()
            let now = Monotonic.now()
            if now >= nextTick {
                tick(now: now)
                nextTick = now + tickInterval
            }
        }
        for worker in workerOrder {
            send(.disconnect(reason: "coordinator shutting down"), to: worker.identity)
        }
    }

    /// Starts a graceful stop: no new dispatch; in-flight tasks may finish within the drain timeout.
    func beginStop(reason: String) {
        switch phase {
        case .running:
            let inFlight = workerOrder.reduce(0) { $0 + $1.leases.count }
            logger.info("stopping (\(reason)): waiting up to \(settings.drainTimeout) for \(inFlight) task(s) in flight and \(uncommitted) uncommitted result(s)")
            phase = .draining(deadline: Monotonic.now() + Monotonic.nanoseconds(settings.drainTimeout))
        case .draining:
            logger.warning("stopping now (\(reason)); tasks still in flight stay pending in the ledger for the next start")
            phase = .stopped
        case .stopped:
            break
        }
    }

    // MARK: Events from the other threads

    private func handle(_ event: CoordinatorEvent) {
        switch event {
        case .tasks(let tasks):
            requested = max(0, requested - tasks.count)
            for task in tasks {
                outstanding[task.job, default: 0] += 1
                queue.append(task)
            }
        case .jobStarted(let job, _, _):
            jobClock[job] = Monotonic.now()
            if outstanding[job] == nil { outstanding[job] = 0 }
        case .jobExhausted(let job):
            exhausted.insert(job)
            finishIfDone(job)
        case .reply(let envelope, let frames):
            reply(envelope, frames)
        case .retry(let task):
            if task.suspect { suspects.append(task) } else { retries.append(task) }
        case .quarantined(let task, _):
            quarantined += 1
            resolved(task.job)
        case .committed(let acks):
            uncommitted -= acks.count
            committed += acks.count
            let now = Monotonic.now()
            for ack in acks where ack.dispatchedAt > 0 {
                _ = latency.record(UInt64(max(0, now - ack.dispatchedAt) / 1_000))
            }
            for ack in acks { resolved(ack.job) }
        case .rejected(let rejected):
            uncommitted -= rejected.count
            malformedWork += rejected.count
            for (task, reason) in rejected { fail(task, .crashed("malformed result: \(reason)")) }
        case .commitFailed(let tasks):
            uncommitted -= tasks.count
            for task in tasks { fail(task, .released("commit failed")) }
        case .signal(let number) where number == SIGHUP && settings.curve != nil:
            reloadAuthorizedKeys()
        case .signal(let number):
            beginStop(reason: number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)")
        }
    }

    /// One task of `job` reached a final outcome.
    private func resolved(_ job: Int64) {
        outstanding[job, default: 1] -= 1
        finishIfDone(job)
    }

    private func finishIfDone(_ job: Int64) {
        guard exhausted.contains(job), outstanding[job, default: 0] <= 0 else { return }
        exhausted.remove(job)
        outstanding[job] = nil
        guard let status = try? store.jobStatus(job: job) else {
            // The store is unreachable: the feeder pages the job again (after retrying the store)
            // and reports it exhausted once more, so this check runs again.
            outstanding[job] = 0
            feeder.post(.rescan(job: job))
            return
        }
        if status.pending > 0 {
            outstanding[job] = 0
            feeder.post(.rescan(job: job))
            return
        }
        var rate = ""
        if let since = jobClock.removeValue(forKey: job) {
            let seconds = Monotonic.seconds(Monotonic.now() - since)
            rate = String(format: " in %.1f s (%.0f files/s in this run)", seconds, Double(status.finished) / max(seconds, 0.001))
        }
        logger.info(
            "job \(job) done: \(status.total) files — \(status.done) parsed, \(status.failed) failed, \(status.quarantined) quarantined\(rate)",
            metadata: ["job.id": "\(job)"])
    }

    // MARK: Dispatch

    /// Asks the feeder for enough tasks to fill the window again.
    private func requestTasks() {
        guard phase == .running else { return }
        let want = window - queue.count - requested
        if want >= window / 4 {
            requested += want
            feeder.post(.demand(want))
        }
    }

    private func nextTask() -> PendingTask? {
        if !retries.isEmpty { return retries.removeFirst() }
        return queue.popFirst()
    }

    private func dispatch() {
        guard phase == .running, !workerOrder.isEmpty, !collector.isFull else { return }
        let now = Monotonic.now()
        let order = workerOrder
        // Suspects run alone on an empty worker; reserve one to empty if none is.
        if !suspects.isEmpty {
            for worker in order where worker.leases.isEmpty && workers[worker.identity] != nil {
                guard !suspects.isEmpty else { break }
                let task = suspects.removeFirst()
                if send(task, to: worker, now: now) {
                    worker.isolating = true
                    if reserved === worker { reserved = nil }
                }
            }
            if !suspects.isEmpty && reserved == nil {
                reserved = order.filter { !$0.isolating }.min { $0.leases.count < $1.leases.count }
            }
        }
        guard !retries.isEmpty || !queue.isEmpty else { return }
        let count = order.count
        rotation = (rotation + 1) % count
        for k in 0..<count {
            let worker = order[(rotation + k) % count]
            if worker.isolating || worker === reserved || workers[worker.identity] == nil { continue }
            if worker.localPaths {
                // One TASK message with up to `maxBatch` tasks: one send and one wake-up at the
                // worker for all of them.
                while worker.leases.count < worker.credit {
                    var batch: [PendingTask] = []
                    while batch.count < min(worker.credit - worker.leases.count, WireProtocol.maxBatch), let task = nextTask() {
                        batch.append(task)
                    }
                    if batch.isEmpty || !transmit(batch, content: nil, to: worker, now: now) { break }
                }
            } else {
                // A remote worker's TASK carries the file: one per message.
                while worker.leases.count < worker.credit, let task = nextTask() {
                    if !send(task, to: worker, now: now) { break }
                }
            }
            if retries.isEmpty && queue.isEmpty { break }
        }
    }

    /// Sends one TASK; on failure the task goes back to the front of the queue.
    private func send(_ task: PendingTask, to worker: WorkerState, now: Int64) -> Bool {
        var content: [UInt8]? = nil
        if !worker.localPaths {
            switch FileBytes.read(path: task.path, limit: settings.sizeLimit) {
            case .success(let bytes):
                content = bytes
            case .failure(let failure):
                // The remote worker could not read it either: record the outcome here.
                var report = Report(source: task.path, byteCount: failure.size, status: failure.status, statusMessage: failure.message)
                report.format = "unknown"
                collector.push(CollectorItem(task: task, payload: .report(report)))
                uncommitted += 1
                return true
            }
        }
        return transmit([task], content: content, to: worker, now: now)
    }

    /// Sends `tasks` (at most ``WireProtocol/maxBatch``) in one TASK message and leases them to
    /// `worker`; `content` is the file of a single task, for a remote worker. If the message cannot
    /// be sent they go back to the front of the queue, in order, and an unreachable worker is removed.
    private func transmit(_ tasks: [PendingTask], content: [UInt8]?, to worker: WorkerState, now: Int64) -> Bool {
        precondition(content == nil || tasks.count == 1, "a TASK with content goes alone")
        let bodies = tasks.map { task in
            WorkerMessage.task(TaskMessage(taskId: UInt64(task.id), attempt: task.attempt, path: task.path,
                                           sizeLimit: UInt64(settings.sizeLimit), content: content)).encode()
        }
        let frames = [worker.identity] + WorkerMessage.batch(bodies)
        do {
            if try work.send(frames: frames, dontWait: true) {
                for task in tasks { lease(task, to: worker, now: now) }
                return true
            }
            for task in tasks.reversed() { requeue(task) }
        } catch {
            for task in tasks.reversed() { requeue(task) }
            logger.warning("worker \(worker.name) is unreachable (\(error)); re-dispatching its tasks",
                           metadata: ["worker.id": "\(worker.name)"])
            remove(worker, blame: .all(.crashed("worker \(worker.name) became unreachable")))
        }
        return false
    }

    /// Puts back a task whose TASK could not be sent: a suspect keeps its probation (it runs alone),
    /// any other goes to the front of the queue.
    private func requeue(_ task: PendingTask) {
        if task.suspect { suspects.insert(task, at: 0) } else { retries.insert(task, at: 0) }
    }

    /// Records that `task` is in flight at `worker` from `now`.
    private func lease(_ task: PendingTask, to worker: WorkerState, now: Int64) {
        if worker.leases.isEmpty { worker.headSince = now }
        var leased = task
        leased.dispatchedAt = now
        worker.leases.append(Lease(task: leased))
        worker.lastSent = now
        logger.trace("dispatched", metadata: ["task.id": "\(task.id)", "task.attempt": "\(task.attempt)", "worker.id": "\(worker.name)"])
    }

    // MARK: The work socket

    private func receiveWork() {
        let now = Monotonic.now()
        // One lock on the collector's queue per burst instead of one per result.
        defer {
            collector.push(contentsOf: accepted)
            accepted.removeAll(keepingCapacity: true)
        }
        for _ in 0..<4096 {
            let frames: [[UInt8]]?
            do {
                frames = try work.receiveMultipart(dontWait: true)
            } catch .messageTooLarge {
                dropped(.work, "message over the size or frame limit")
                continue
            } catch {
                logger.error("receive on the worker socket failed: \(error)")
                return
            }
            guard let frames else { return }
            handleWork(frames, now: now)
        }
    }

    private func handleWork(_ frames: [[UInt8]], now: Int64) {
        guard frames.count >= 2 else {
            dropped(.work, "message without payload")
            return
        }
        let identity = frames[0]
        let messages: [WorkerMessage]
        do {
            messages = try WorkerMessage.decodeBatch(Array(frames[1...]))
        } catch {
            if case .unsupportedVersion(let version) = error {
                dropped(.work, "a peer speaks worker protocol GKW\(version); this coordinator speaks GKW1 (upgrade one of them)")
            } else {
                dropped(.work, "\(error)")
            }
            return
        }
        workers[identity]?.lastHeard = now
        if messages.count > 1 {
            // A batch is all TASK or all RESULT. A TASK batch from a worker is one protocol error, and a
            // RESULT batch from a peer without READY one DISCONNECT: answer and count the message once
            // (its results are all stale).
            if case .task = messages[0] {
                handle(messages[0], from: identity, worker: workers[identity], now: now)
                return
            }
            if workers[identity] == nil {
                staleResults += messages.count - 1
                handle(messages[0], from: identity, worker: nil, now: now)
                return
            }
        }
        // A message of a batch may remove the worker (a protocol error): look it up for each.
        for message in messages {
            handle(message, from: identity, worker: workers[identity], now: now)
        }
    }

    private func handle(_ message: WorkerMessage, from identity: [UInt8], worker: WorkerState?, now: Int64) {
        switch message {
        case .ready(let ready):
            register(identity, ready, now: now)
        case .result(let result):
            guard let worker else {
                staleResults += 1
                send(.disconnect(reason: "no READY"), to: identity)
                return
            }
            accept(result, from: worker, now: now)
        case .heartbeat:
            if worker == nil { send(.disconnect(reason: "no READY"), to: identity) }
        case .disconnect(let reason):
            guard let worker else { return }
            logger.info("worker \(worker.name) disconnected: \(reason)", metadata: ["worker.id": "\(worker.name)"])
            remove(worker, blame: .all(.released("worker \(worker.name) disconnected")))
        case .task, .refuse:
            dropped(.work, "a worker sent \(message.command), which only the coordinator sends")
            if let worker {
                send(.disconnect(reason: "protocol error: \(message.command) from a worker"), to: identity)
                remove(worker, blame: .all(.released("protocol error by worker \(worker.name)")))
            }
        }
    }

    private func register(_ identity: [UInt8], _ ready: ReadyMessage, now: Int64) {
        guard ready.protocolVersion == WireProtocol.revision else {
            let reason = "protocol revision \(ready.protocolVersion) not supported (coordinator speaks \(WireProtocol.revision))"
            logger.error(
                "refused worker \(ready.workerId) (pid \(ready.pid) on \(ready.hostname)): it speaks worker protocol revision \(ready.protocolVersion), this coordinator speaks \(WireProtocol.revision); run workers of the same gongkai version",
                metadata: ["worker.id": "\(ready.workerId)"])
            send(.refuse(reason: reason), to: identity)
            if let old = workers[identity] { remove(old, blame: .all(.released("worker refused"))) }
            return
        }
        if let old = workers[identity] {
            remove(old, blame: .all(.released("worker \(old.name) registered again")))
        }
        // The same process on a new socket (it reconnected): its old registration is void.
        if let old = workerOrder.first(where: { $0.pid == Int32(bitPattern: ready.pid) && $0.hostname == ready.hostname && $0.name == ready.workerId }) {
            remove(old, blame: .all(.released("worker \(old.name) reconnected")))
        }
        let isChild = ready.hostname == hostname && supervisor.isChild(Int32(bitPattern: ready.pid))
        let credit = Int(min(max(ready.credit, 1), 1024))
        let worker = WorkerState(identity: identity, ready: ready, credit: credit, isChild: isChild, now: now)
        workers[identity] = worker
        workerOrder.append(worker)
        if isChild { supervisor.markHealthy(worker.pid) }
        let reads = ready.localPaths ? "reads paths itself" : "receives file contents"
        logger.info(
            "worker \(ready.workerId) ready: pid \(ready.pid) on \(ready.hostname), credit \(credit), \(reads)",
            metadata: ["worker.id": "\(ready.workerId)"])
    }

    private func accept(_ result: ResultMessage, from worker: WorkerState, now: Int64) {
        let id = Int64(bitPattern: result.taskId)
        guard let index = worker.leases.firstIndex(where: { $0.task.id == id && $0.task.attempt == result.attempt }) else {
            // Not leased to this worker at this attempt (re-dispatched meanwhile): drop. Its
            // credit comes back by itself, since the lease was released when it was re-dispatched.
            staleResults += 1
            logger.debug("stale result dropped", metadata: ["task.id": "\(id)", "task.attempt": "\(result.attempt)", "worker.id": "\(worker.name)"])
            return
        }
        let lease = worker.leases.remove(at: index)
        if index == 0 { worker.headSince = now }
        if worker.leases.isEmpty { worker.isolating = false }
        worker.results += 1
        accepted.append(CollectorItem(task: lease.task, payload: .encoded(result.report)))
        uncommitted += 1
    }

    /// Forgets a worker and re-dispatches (or, via the feeder, counts and maybe quarantines) its tasks.
    private func remove(_ worker: WorkerState, blame: Blame) {
        guard workers[worker.identity] === worker else { return }
        workers[worker.identity] = nil
        workerOrder.removeAll { $0 === worker }
        if reserved === worker { reserved = nil }
        let leases = worker.leases
        worker.leases = []
        for (index, lease) in leases.enumerated() {
            switch blame {
            case .all(let failure): fail(lease.task, failure, among: leases.count)
            case .head(let head, let others): fail(lease.task, index == 0 ? head : others, among: index == 0 ? 1 : leases.count)
            }
        }
    }

    /// An attempt ended without a result.
    private func fail(_ task: PendingTask, _ failure: AttemptFailure, among held: Int = 1) {
        var task = task
        switch failure {
        case .released:
            task.attempt &+= 1
            retries.append(task)
            feeder.post(.attemptFailed(task, failure))
        case .crashed:
            task.seenCrashes += 1
            task.suspect = true
            feeder.post(.attemptFailed(task, failure))
        case .hung:
            task.seenHangs += 1
            task.suspect = true
            feeder.post(.attemptFailed(task, failure))
        }
        if failure.countsAsCrash {
            logger.debug(
                "task \(task.id) failed (\(failure.reason)); \(held > 1 ? "one of \(held) tasks the worker held, " : "")counted as attempt \(task.attempt) with a crash or hang",
                metadata: ["task.id": "\(task.id)", "job.id": "\(task.job)"])
        }
    }

    // MARK: Timers

    private func tick(now: Int64) {
        for exit in supervisor.tick(now: now, restart: phase == .running) {
            if let worker = workerOrder.first(where: { $0.isChild && $0.pid == exit.pid }) {
                logger.warning("worker \(exit.name) (pid \(exit.pid)) \(exit.exit) while holding \(worker.leases.count) task(s)",
                               metadata: ["worker.id": "\(exit.name)"])
                remove(worker, blame: .all(.crashed("worker \(exit.name) \(exit.exit)")))
            } else if phase == .running {
                logger.info("worker \(exit.name) (pid \(exit.pid)) \(exit.exit)", metadata: ["worker.id": "\(exit.name)"])
            }
        }
        let timeout = Monotonic.nanoseconds(settings.taskTimeout)
        let silence = Monotonic.nanoseconds(WireProtocol.peerTimeout)
        let heartbeat = Monotonic.nanoseconds(WireProtocol.heartbeatInterval)
        for worker in workerOrder {
            if now - worker.lastHeard > silence {
                logger.warning("worker \(worker.name) (pid \(worker.pid)) silent for \(WireProtocol.peerTimeout); presumed dead",
                               metadata: ["worker.id": "\(worker.name)"])
                if worker.isChild { supervisor.kill(worker.pid, SIGKILL) }
                remove(worker, blame: .all(.crashed("worker \(worker.name) fell silent")))
            } else if let head = worker.leases.first, now - worker.headSince > timeout {
                let action = worker.isChild ? "killing the worker (SIGKILL)" : "disconnecting the worker"
                logger.warning(
                    "task \(head.task.id) (\(head.task.path)) ran over --task-timeout \(settings.taskTimeout) at worker \(worker.name); \(action)",
                    metadata: ["task.id": "\(head.task.id)", "worker.id": "\(worker.name)"])
                if worker.isChild {
                    supervisor.kill(worker.pid, SIGKILL)
                } else {
                    send(.disconnect(reason: "task \(head.task.id) ran over the task timeout"), to: worker.identity)
                }
                remove(worker, blame: .head(.hung("task timeout at worker \(worker.name)"),
                                            others: .released("worker \(worker.name) stopped for another task's hang")))
            } else if now - worker.lastSent >= heartbeat {
                send(.heartbeat, to: worker.identity)
                worker.lastSent = now
            }
        }
        if case .draining(let deadline) = phase {
            let inFlight = workerOrder.reduce(0) { $0 + $1.leases.count }
            if inFlight == 0 && uncommitted == 0 {
                logger.info("drained: every result in flight is committed")
                phase = .stopped
            } else if now >= deadline {
                logger.warning("drain timeout: \(inFlight) task(s) still in flight and \(uncommitted) uncommitted stay pending in the ledger for the next start")
                phase = .stopped
            }
        }
        if now - lastProgressLog >= 10_000_000_000 {
            let delta = committed - committedAtLastLog
            if delta > 0 {
                let rate = Double(delta) / Monotonic.seconds(now - lastProgressLog)
                let inFlight = workerOrder.reduce(0) { $0 + $1.leases.count }
                let queued = queue.count + retries.count + suspects.count
                let span = Int(Monotonic.seconds(now - lastProgressLog))
                logger.info(
                    "progress: \(committed) results committed since start (\(Int(rate))/s over the last \(span) s), \(inFlight) in flight, \(queued) queued, \(workers.count) worker(s)")
            }
            lastProgressLog = now
            committedAtLastLog = committed
        }
    }

    // MARK: The control socket

    private func receiveControl() {
        for _ in 0..<256 {
            let frames: [[UInt8]]?
            do {
                frames = try control.receiveMultipart(dontWait: true)
            } catch .messageTooLarge {
                dropped(.control, "request over the size or frame limit")
                continue
            } catch {
                logger.error("receive on the control socket failed: \(error)")
                return
            }
            guard let frames else { return }
            handleControl(frames)
        }
    }

    private func handleControl(_ frames: [[UInt8]]) {
        guard let (envelope, payload) = RouterEnvelope.split(frames) else {
            dropped(.control, "message without payload")
            return
        }
        let request: ControlRequest
        do {
            request = try ControlRequest.decode(payload)
        } catch {
            dropped(.control, "\(error)")
            reply(envelope, ControlReply.error("\(error)").encode())
            return
        }
        switch request {
        case .submit(let submit):
            guard phase == .running else { return reply(envelope, ControlReply.error("the coordinator is shutting down").encode()) }
            feeder.post(.submit(envelope: envelope, submit))
        case .append(let append):
            guard phase == .running else { return reply(envelope, ControlReply.error("the coordinator is shutting down").encode()) }
            feeder.post(.append(envelope: envelope, append))
        case .status(let job):
            reply(envelope, status(job: job))
        case .shutdown:
            reply(envelope, ControlReply.shuttingDown.encode())
            beginStop(reason: "SHUTDOWN request")
        }
    }

    private func status(job: Int?) -> [[UInt8]] {
        let jobs: [GongkaiStore.JobStatus]
        do {
            if let job {
                guard let one = try store.jobStatus(job: Int64(job)) else { return ControlReply.error("unknown job \(job)").encode() }
                jobs = [one]
            } else {
                jobs = try store.allJobs()
            }
        } catch {
            return ControlReply.error("cannot read the ledger: \(error)").encode()
        }
        return StatusReport(jobs: jobs.map(Self.wire), stats: stats()).encode()
    }

    static func wire(_ s: GongkaiStore.JobStatus) -> GongkaiWire.JobStatus {
        // The ledger writes 2024-01-31T08:00:00.000Z; the protocol says 2024-01-31T08:00:00Z.
        var created = s.createdAt
        if created.count == 24, created.hasSuffix("Z"), let dot = created.lastIndex(of: ".") {
            created = String(created[..<dot]) + "Z"
        }
        return GongkaiWire.JobStatus(
            job: Int(s.id), state: s.state == .done ? "done" : "running", total: s.total, done: s.done, failed: s.failed,
            quarantined: s.quarantined, walkComplete: s.walkComplete, created: created)
    }

    func stats() -> ClusterStats {
        ClusterStats(
            workers: workers.count,
            inFlight: workerOrder.reduce(0) { $0 + $1.leases.count },
            queued: queue.count + retries.count + suspects.count,
            uncommitted: uncommitted,
            committed: committed,
            malformedDropped: .init(work: malformedWork, control: malformedControl),
            staleResults: staleResults,
            workerRestarts: supervisor.restarts,
            quarantined: quarantined,
            zapRefused: zapRefused,
            handshakeFailed: handshakeFailed,
            uptimeSeconds: (Monotonic.seconds(Monotonic.now() - started) * 10).rounded() / 10,
            latency: latency.totalCount == 0 ? nil : ClusterStats.Latency(
                count: Int(latency.totalCount),
                p50: Self.milliseconds(latency.valueAtPercentile(50)), p95: Self.milliseconds(latency.valueAtPercentile(95)),
                p99: Self.milliseconds(latency.valueAtPercentile(99)), max: Self.milliseconds(latency.maxRecorded)))
    }

    private static func milliseconds(_ micros: UInt64) -> Double { (Double(micros) / 100).rounded() / 10 }

    private func reply(_ envelope: [[UInt8]], _ frames: [[UInt8]]) {
        do {
            _ = try control.send(frames: envelope + frames, dontWait: true)
        } catch {
            logger.debug("control reply not delivered (client gone): \(error)")
        }
    }

    // MARK: ZAP

    /// Answers waiting ZAP requests (see ``Authenticator``); refusals are counted and logged (rate-limited).
    private func serveZap() {
        for _ in 0..<64 {
            guard let frames = try? zap.receiveMultipart(dontWait: true) else { return }
            let request = ZapRequest(frames: frames)
            let decision = authenticator.decide(request)
            logger.trace("ZAP request", metadata: ["zap.address": "\(request?.address ?? "?")", "zap.allowed": "\(decision.allowed)"])
            if let refusal = decision.refusal {
                zapRefused += 1
                if refusalLog.shouldLog(zapRefused + handshakeFailed) {
                    logger.warning("\(refusal)", metadata: ["gongkai.zap.refused": "\(zapRefused)"])
                }
            }
            let requestId = frames.count > 1 ? frames[1] : []
            _ = try? zap.send(frames: decision.reply(to: requestId), dontWait: true)
        }
    }

    /// Counts and logs handshakes that failed before any ZAP request: a plain (NULL) client on a
    /// CURVE endpoint, or a CURVE client using the wrong server key. libzmq's monitor names the
    /// endpoint, not the peer's address. (ZAP refusals are counted by ``serveZap()``, not here.)
    private func readMonitor(_ monitor: ZMQSocket) {
        for _ in 0..<64 {
            guard let frames = try? monitor.receiveMultipart(dontWait: true) else { return }
            guard let event = ZMQMonitorEvent(frames: frames) else { continue }
            handshakeFailed += 1
            guard refusalLog.shouldLog(zapRefused + handshakeFailed) else { continue }
            // A plain client hangs up when it sees the CURVE greeting, often before the coordinator
            // has read its own: then libzmq reports the broken connection, not the mismatch.
            let hint = event.event == .handshakeFailedNoDetail ? " (the peer hung up: a plain or misconfigured client?)" : ""
            logger.warning("refused a connection on \(event.endpoint): \(event)\(hint)",
                           metadata: ["gongkai.handshake.failed": "\(handshakeFailed)"])
        }
    }

    /// SIGHUP with CURVE configured: reads the allow-list again (a worker host added or removed). On
    /// error the old list stays. Connections already authenticated are not affected.
    private func reloadAuthorizedKeys() {
        guard let source = authenticator.authorized?.source else { return }
        do {
            let keys = try AuthorizedKeys.load(source)
            authenticator.authorized = keys
            logger.notice("SIGHUP: reloaded \(keys.count) authorised public key(s) from \(source)")
        } catch {
            logger.error("SIGHUP: cannot reload the allow-list (keeping the previous \(authenticator.authorized?.count ?? 0) key(s)): \(error)")
        }
    }

    // MARK: Output helpers

    private func send(_ message: WorkerMessage, to identity: [UInt8]) {
        var frames = message.encode()
        frames.insert(identity, at: 0)
        do {
            _ = try work.send(frames: frames, dontWait: true)
        } catch {
            logger.debug("message to a gone worker not delivered: \(error)")
        }
    }

    enum SocketName: String { case work, control }

    private func dropped(_ socket: SocketName, _ reason: String) {
        switch socket {
        case .work: malformedWork += 1
        case .control: malformedControl += 1
        }
        let total = socket == .work ? malformedWork : malformedControl
        if dropLog.shouldLog(total) {
            logger.info("dropped a malformed message on the \(socket.rawValue) socket: \(reason)",
                        metadata: ["gongkai.wire.malformed": "\(total)"])
        }
    }
}

/// Rate limit for "dropped a malformed message" lines: the first 10, then every power of two.
struct DropLog {
    func shouldLog(_ count: Int) -> Bool { count <= 10 || count & (count - 1) == 0 }
}

/// A FIFO of tasks with O(1) pops: an array and a head index, compacted now and then.
struct TaskQueue {
    private var items: [PendingTask] = []
    private var head = 0

    var count: Int { items.count - head }
    var isEmpty: Bool { head == items.count }

    mutating func append(_ task: PendingTask) { items.append(task) }

    mutating func popFirst() -> PendingTask? {
        guard head < items.count else { return nil }
        let task = items[head]
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024 && head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
        return task
    }
}
