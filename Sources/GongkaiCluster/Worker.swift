// A worker process: one DEALER socket on the calling thread (READY, heartbeats, TASK in, RESULT
// out, reconnect with back-off) and one parser thread, so heartbeats keep flowing during a long
// parse. Results are encoded once, straight into the RESULT frame.

import Foundation
import GongkaiCore
import GongkaiDecode
import GongkaiWire
import Logging
import Synchronization
import ZeroMQ

#if canImport(Glibc)
import Glibc
#endif

/// How a worker runs; see `gongkai worker --help`.
public struct WorkerSettings: Sendable {
    public var endpoint: String
    public var credit: Int
    public var workerId: String
    /// Files larger than this are not read (the TASK's own limit applies too; the smaller wins).
    public var sizeLimit: Int
    /// Set by `gongkai serve` for the workers it starts: exit when the parent process is gone,
    /// and on the coordinator's DISCONNECT.
    public var parentPid: Int32?
    /// An independent worker exits after this long without a coordinator.
    public var giveUpAfter: Duration
    /// Test-only fault injection (`GONGKAI_FAULT_CRASH_ON`, `GONGKAI_FAULT_HANG_ON`).
    public var faults: FaultInjection
    /// This worker's key pair and the coordinator's public key, for a tcp endpoint (CURVE).
    public var curve: CurveClientKeys?
    /// How much to lower this worker's CPU priority (`nice`, 0–19) before it starts any thread.
    public var nice: Int

    public init(endpoint: String, credit: Int = 16, workerId: String, sizeLimit: Int = ReadOptions.defaultSizeLimit,
                parentPid: Int32? = nil, giveUpAfter: Duration = .seconds(300), faults: FaultInjection = .none,
                curve: CurveClientKeys? = nil, nice: Int = 0) {
        self.endpoint = endpoint
        self.credit = credit
        self.workerId = workerId
        self.sizeLimit = sizeLimit
        self.parentPid = parentPid
        self.giveUpAfter = giveUpAfter
        self.faults = faults
        self.curve = curve
        self.nice = nice
    }
}

/// FOR TESTS ONLY: make a worker crash (`abort()`) or stall forever on files whose path contains
/// a substring, to exercise the coordinator's crash and hang handling. Read from the environment
/// variables `GONGKAI_FAULT_CRASH_ON` and `GONGKAI_FAULT_HANG_ON`; never set them in production.
public struct FaultInjection: Sendable, Hashable {
    public var crashOn: String?
    public var hangOn: String?

    public init(crashOn: String? = nil, hangOn: String? = nil) {
        self.crashOn = crashOn
        self.hangOn = hangOn
    }

    public static let none = FaultInjection()

    /// The faults named by `GONGKAI_FAULT_CRASH_ON` / `GONGKAI_FAULT_HANG_ON` (empty values ignored).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> FaultInjection {
        func value(_ key: String) -> String? { environment[key].flatMap { $0.isEmpty ? nil : $0 } }
        return FaultInjection(crashOn: value("GONGKAI_FAULT_CRASH_ON"), hangOn: value("GONGKAI_FAULT_HANG_ON"))
    }

    public var isActive: Bool { crashOn != nil || hangOn != nil }
}

public enum WorkerRuntime {
    /// Runs a worker until it is told to stop, refused, orphaned or gives up. Returns the exit code:
    /// 0 stopped (DISCONNECT to a supervised worker, parent gone), 1 gave up on the coordinator,
    /// 3 refused by the coordinator, 4 could not set up.
    public static func run(_ settings: WorkerSettings, logger: Logger) -> Int32 {
        if settings.nice > 0 {
            // Linux keeps a niceness per thread, and new threads inherit it: lowering it here, before
            // the libzmq I/O thread and the parser thread exist, lowers the whole worker.
            errno = 0
            if Glibc.nice(Int32(clamping: settings.nice)) == -1 && errno != 0 {
                logger.warning("cannot lower this worker's priority by \(settings.nice): \(String(cString: strerror(errno)))")
            }
        }
        do {
            let runtime = try WorkerLoop(settings: settings, logger: logger)
            return runtime.run()
        } catch {
            logger.error("worker cannot start: \(error)")
            return 4
        }
    }
}

/// A TASK handed to the parser thread, tagged with the socket generation it came from.
private struct ParseJob: Sendable {
    var generation: Int
    var task: TaskMessage
}

/// A RESULT ready to send, tagged like its TASK.
private struct ParsedResult: Sendable {
    var generation: Int
    var frames: [[UInt8]]
}

/// The socket side of a worker. Lives on the calling thread.
private final class WorkerLoop {
    private let settings: WorkerSettings
    private let logger: Logger
    private let context: ZMQContext
    private let inbox = BlockingQueue<ParseJob>()
    private let outbox: Mailbox<ParsedResult>
    private let hostname = ProcessInfo.processInfo.hostName
    private let localPaths: Bool

    private var dealer: ZMQSocket?
    /// With CURVE: a PAIR socket receiving the DEALER's handshake failures (zmq_socket_monitor).
    private var monitor: ZMQSocket?
    private var handshakeFailures = 0
    private var poller = ZMQPoller()
    private var generation = 0
    private var lastHeard: Int64 = 0
    private var lastSent: Int64 = 0
    /// Last time anything came from a coordinator (for --give-up-after).
    private var lastContact: Int64 = 0
    private var backoff: Int64 = 1_000_000_000
    private var reconnectAt: Int64?
    private var pending: [[[UInt8]]] = []
    /// Tasks of this connection handed to the parser and not yet answered.
    private var outstanding = 0
    private var malformed = 0
    private var dropLog = DropLog()

    init(settings: WorkerSettings, logger: Logger) throws {
        self.settings = settings
        self.logger = logger
        context = try ZMQContext(ioThreads: 1)
        outbox = try Mailbox()
        localPaths = !settings.endpoint.hasPrefix("tcp://")
    }

    func run() -> Int32 {
        if settings.faults.isActive {
            logger.warning("FAULT INJECTION ACTIVE (test only): crash on \(settings.faults.crashOn ?? "-"), hang on \(settings.faults.hangOn ?? "-")")
        }
        if let parent = settings.parentPid, getppid() != parent {
            logger.info("parent process \(parent) is already gone; exiting")
            return 0
        }
        let parser: OSThread
        do {
            let inbox = self.inbox
            let outbox = self.outbox
            let settings = self.settings
            let logger = self.logger
            parser = try OSThread(name: "gk-parse") { Self.parse(inbox: inbox, outbox: outbox, settings: settings, logger: logger) }
        } catch {
            logger.error("\(error)")
            return 4
        }
        _ = parser
        let code = loop()
        inbox.close()
        dealer?.close()
        monitor?.close()
        context.terminate()
        // The parser may be stuck in a file (that is what the hang fault simulates): do not join it.
        return code
    }

    // MARK: The socket loop

    private func loop() -> Int32 {
        let start = Monotonic.now()
        lastContact = start
        do { try connect(now: start) } catch {
            logger.error("cannot connect to \(settings.endpoint): \(error)")
            return 4
        }
        let heartbeat = Monotonic.nanoseconds(WireProtocol.heartbeatInterval)
        let silence = Monotonic.nanoseconds(WireProtocol.peerTimeout)
        let giveUp = Monotonic.nanoseconds(settings.giveUpAfter)
        var nextParentCheck = start
        while true {
            let now = Monotonic.now()
            // While the parser has work, sweep its results every 2 ms (it wakes us only now and then).
            var timeout: Int64 = outstanding > 0 ? 2_000_000 : 250_000_000
            if dealer != nil { timeout = min(timeout, max(0, lastSent + heartbeat - now)) }
            if let at = reconnectAt { timeout = min(timeout, max(0, at - now)) }
            do {
                _ = try poller.poll(timeout: .nanoseconds(timeout))
            } catch {
                logger.error("zmq_poll failed: \(error)")
                return 4
            }
            if poller.events(at: 0).contains(.readable) { outbox.wakeup.drain() }
            for result in outbox.takeAll() where result.generation == generation {
                pending.append(result.frames)
                outstanding -= 1
            }
            flush()
            if dealer != nil, poller.count > 1, poller.events(at: 1).contains(.readable) {
                if let code = receive() { return code }
            }
            if monitor != nil, poller.count > 2, poller.events(at: 2).contains(.readable) { readMonitor() }
            let after = Monotonic.now()
            if let at = reconnectAt {
                if after >= at {
                    do { try connect(now: after) } catch {
                        logger.error("cannot reconnect to \(settings.endpoint): \(error)")
                        return 4
                    }
                }
            } else if after - lastHeard > silence {
                logger.warning("no message from the coordinator for \(WireProtocol.peerTimeout); reconnecting in \(Double(backoff) / 1e9) s")
                dropConnection(now: after)
            } else if after - lastSent >= heartbeat {
                send(WorkerMessage.heartbeat.encode())
                lastSent = after
            }
            if after >= nextParentCheck {
                nextParentCheck = after + 500_000_000
                if let parent = settings.parentPid, getppid() != parent {
                    logger.info("the coordinator (parent pid \(parent)) is gone; exiting")
                    return 0
                }
            }
            if settings.parentPid == nil && after - lastContact > giveUp {
                logger.error("no coordinator at \(settings.endpoint) for \(settings.giveUpAfter); giving up")
                return 1
            }
        }
    }

    /// Opens a new DEALER (a new routing id per connection), connects and sends READY.
    private func connect(now: Int64) throws(ZMQError) {
        generation += 1
        let socket = try context.socket(.dealer)
        try socket.set([
            .routingId(Array("\(settings.workerId).\(generation)".utf8.prefix(255))),
            .linger(milliseconds: 1000),
            .sendHighWaterMark(SocketLimits.highWaterMark),
            .receiveHighWaterMark(SocketLimits.highWaterMark),
            .maxMessageSize(Int64(WireLimits.default.content) + 64 * 1024),
            .reconnectInterval(milliseconds: 100),
            .reconnectIntervalMax(milliseconds: 2000),
        ])
        socket.receiveLimits = ZMQReceiveLimits(maxFrames: 2 + WireProtocol.maxBatch, maxBytes: WireLimits.default.content + 128 * 1024)
        if let curve = settings.curve {
            try socket.set(curve.socketOptions)
            let endpoint = "inproc://gongkai.worker-monitor.\(generation)"
            try socket.monitor(endpoint, events: .handshakeFailures)
            let pair = try context.socket(.pair)
            try pair.set(.linger(milliseconds: 0))
            try pair.connect(endpoint)
            monitor = pair
        }
        try socket.connect(settings.endpoint)
        dealer = socket
        rebuildPoller()
        reconnectAt = nil
        lastHeard = now
        pending = []
        outstanding = 0
        let ready = ReadyMessage(workerId: settings.workerId, pid: UInt32(bitPattern: getpid()), hostname: hostname,
                                 credit: UInt32(clamping: settings.credit), localPaths: localPaths)
        send(WorkerMessage.ready(ready).encode())
        logger.debug("connected to \(settings.endpoint) (connection \(generation)); READY sent with credit \(settings.credit)")
    }

    /// Closes the socket and schedules a reconnect with back-off (1 s doubling to 32 s).
    private func dropConnection(now: Int64) {
        if let dealer {
            try? dealer.set(.linger(milliseconds: 0))
            dealer.close()
        }
        dealer = nil
        monitor?.close()
        monitor = nil
        rebuildPoller()
        pending = []
        outstanding = 0
        // Tasks of the old connection are void: the coordinator re-dispatches them.
        _ = inbox.take(max: Int.max, atLeast: 0, until: 0)
        reconnectAt = now + backoff
        backoff = min(backoff * 2, 32_000_000_000)
    }

    private func rebuildPoller() {
        // A poll set cannot shrink: build a new one (wakeup first, then the socket).
        poller = ZMQPoller()
        poller.add(fd: outbox.wakeup.fd)
        if let dealer { poller.add(dealer) }
        if let monitor { poller.add(monitor) }
    }

    /// Logs the CURVE handshake failures of this worker's connection (the first 10, then every
    /// power of two): libzmq keeps retrying, and a refused worker never receives a task.
    private func readMonitor() {
        guard let monitor else { return }
        while let frames = try? monitor.receiveMultipart(dontWait: true) {
            guard let event = ZMQMonitorEvent(frames: frames) else { continue }
            handshakeFailures += 1
            guard dropLog.shouldLog(handshakeFailures) else { continue }
            let hint = event.event == .handshakeFailedAuth
                ? "is this worker's public key in the coordinator's --authorized-keys?"
                : "is --server-key the coordinator's public key?"
            logger.error("the CURVE handshake with \(settings.endpoint) failed: \(event); \(hint)",
                         metadata: ["gongkai.handshake.failed": "\(handshakeFailures)"])
        }
    }

    /// Reads everything waiting. Returns an exit code when the worker must stop.
    private func receive() -> Int32? {
        guard let dealer else { return nil }
        // Tasks go to the parser in one hand-off per burst, not one per message.
        var arrived: [ParseJob] = []
        defer { inbox.push(contentsOf: arrived) }
        for _ in 0..<1024 {
            let frames: [[UInt8]]?
            do {
                frames = try dealer.receiveMultipart(dontWait: true)
            } catch .messageTooLarge {
                dropped("message over the size or frame limit")
                continue
            } catch {
                logger.error("receive failed: \(error)")
                return nil
            }
            guard let frames else { return nil }
            let now = Monotonic.now()
            lastHeard = now
            lastContact = now
            backoff = 1_000_000_000
            let messages: [WorkerMessage]
            do {
                messages = try WorkerMessage.decodeBatch(frames)
            } catch {
                dropped("\(error)")
                continue
            }
            for message in messages {
                if let code = handle(message, arrived: &arrived, now: now) { return code }
                if dealer !== self.dealer { return nil }  // disconnected: the rest is void
            }
        }
        return nil
    }

    /// Handles one message from the coordinator. Returns an exit code when the worker must stop.
    private func handle(_ message: WorkerMessage, arrived: inout [ParseJob], now: Int64) -> Int32? {
        switch message {
        case .task(let task):
            arrived.append(ParseJob(generation: generation, task: task))
            outstanding += 1
        case .heartbeat:
            break
        case .disconnect(let reason):
            if settings.parentPid != nil {
                logger.info("the coordinator disconnected this worker (\(reason)); exiting")
                return 0
            }
            logger.info("the coordinator disconnected this worker (\(reason)); reconnecting")
            arrived = []
            dropConnection(now: now)
            reconnectAt = now
            return nil
        case .refuse(let reason):
            logger.error("the coordinator refused this worker: \(reason); exiting without reconnecting")
            return 3
        case .ready, .result:
            dropped("the coordinator sent \(message.command), which only workers send")
        }
        return nil
    }

    /// Sends the results ready to go, several per RESULT message: up to ``WireProtocol/maxBatch``
    /// and ``resultBatchBytes`` (a bigger result goes alone).
    private func flush() {
        guard let dealer, !pending.isEmpty else { return }
        var sent = 0
        while sent < pending.count {
            var end = sent + 1
            var bytes = pending[sent][2].count
            while end < pending.count && end - sent < WireProtocol.maxBatch && bytes + pending[end][2].count <= Self.resultBatchBytes {
                bytes += pending[end][2].count
                end += 1
            }
            let frames = WorkerMessage.batch(pending[sent..<end])
            do {
                guard try dealer.send(frames: frames, dontWait: true) else { break }
            } catch {
                logger.warning("send failed: \(error)")
                break
            }
            sent = end
        }
        if sent > 0 {
            pending.removeFirst(sent)
            lastSent = Monotonic.now()
        }
    }

    /// The most report bytes batched into one RESULT message (the coordinator accepts 16 MiB).
    private static let resultBatchBytes = 1 << 20

    private func send(_ frames: [[UInt8]]) {
        guard let dealer else { return }
        do {
            if try dealer.send(frames: frames, dontWait: true) { lastSent = Monotonic.now() }
        } catch {
            logger.warning("send failed: \(error)")
        }
    }

    private func dropped(_ reason: String) {
        malformed += 1
        if dropLog.shouldLog(malformed) {
            logger.info("dropped a malformed message from the coordinator: \(reason)", metadata: ["gongkai.wire.malformed": "\(malformed)"])
        }
    }

    // MARK: The parser thread

    private static func parse(inbox: BlockingQueue<ParseJob>, outbox: Mailbox<ParsedResult>, settings: WorkerSettings, logger: Logger) {
        // Each result is handed over at once (so a later hang cannot hold it back), but the socket
        // thread is woken only every 8 results or when the parser runs out of work; in between it
        // sweeps the outbox on a 2 ms timer. That saves two context switches per result.
        var unannounced = 0
        while true {
            let jobs = inbox.take(max: 64, until: Monotonic.now() + 1_000_000_000)
            if jobs.isEmpty {
                if inbox.isClosed { return }
                continue
            }
            for (index, job) in jobs.enumerated() {
                let task = job.task
                if let crash = settings.faults.crashOn, task.path.contains(crash) {
                    logger.warning("FAULT INJECTION: aborting on \(task.path) (GONGKAI_FAULT_CRASH_ON)")
                    abort()
                }
                if let hang = settings.faults.hangOn, task.path.contains(hang) {
                    logger.warning("FAULT INJECTION: stalling forever on \(task.path) (GONGKAI_FAULT_HANG_ON)")
                    while true { sleep(3600) }
                }
                let started = Monotonic.now()
                let limit = min(settings.sizeLimit, Int(clamping: task.sizeLimit))
                let options = ReadOptions(sizeLimit: limit)
                let report: Report
                if let content = task.content {
                    report = DocumentReader.report(bytes: content, source: task.path, options: options)
                } else {
                    report = DocumentReader.report(path: task.path, options: options)
                }
                let micros = UInt32(clamping: (Monotonic.now() - started) / 1000)
                let frames = WorkerMessage.encodeResult(taskId: task.taskId, attempt: task.attempt, elapsedMicros: micros, report: report)
                unannounced += 1
                let wake = unannounced >= 8 || (index == jobs.count - 1 && inbox.count == 0)
                if wake { unannounced = 0 }
                outbox.post(ParsedResult(generation: job.generation, frames: frames), wake: wake)
            }
        }
    }
}
