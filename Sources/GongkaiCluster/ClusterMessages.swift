// The values that travel between the coordinator's threads (coordinator loop, job feeder,
// collector, signal watcher). All Sendable; none holds a socket.

import GongkaiCore
import GongkaiWire

/// One file of a job as the coordinator dispatches it.
struct PendingTask: Sendable {
    /// The ledger's task id.
    var id: Int64
    var job: Int64
    var path: String
    /// The attempt number the next TASK carries (ledger attempts + 1).
    var attempt: UInt16
    /// Attempts that crashed or hung a worker, as the ledger counts them (durable).
    var crashes: Int
    /// Of this coordinator's own observations: attempts that died with a worker, and that hung one.
    var seenCrashes = 0
    var seenHangs = 0
    /// After a worker died holding this task among others, it is dispatched alone ("probation"),
    /// so that a second death can be blamed on it for certain.
    var suspect = false
    /// When this attempt was sent to a worker (monotonic ns; 0 before the first TASK): task latency is
    /// measured from here to the commit of its result.
    var dispatchedAt: Int64 = 0

    init(id: Int64, job: Int64, path: String, attempt: UInt16, crashes: Int) {
        self.id = id
        self.job = job
        self.path = path
        self.attempt = attempt
        self.crashes = crashes
    }
}

/// Why an attempt ended without a result.
enum AttemptFailure: Sendable, Equatable {
    /// The worker process died (or fell silent) while holding the task.
    case crashed(String)
    /// The task's lease passed `--task-timeout` while it was the oldest at its worker.
    case hung(String)
    /// Not the task's fault: the worker went away gracefully, re-registered, was killed for
    /// another task's hang, or the result could not be committed.
    case released(String)

    var countsAsCrash: Bool {
        switch self {
        case .crashed, .hung: true
        case .released: false
        }
    }

    var reason: String {
        switch self {
        case .crashed(let r), .hung(let r), .released(let r): r
        }
    }
}

/// A result on its way from the coordinator to the collector.
struct CollectorItem: Sendable {
    enum Payload: Sendable {
        /// The report as a worker encoded it (``ReportCodec``), forwarded without decoding.
        case encoded([UInt8])
        /// A report the coordinator made itself (a file it could not read for a remote worker).
        case report(Report)
    }

    var task: PendingTask
    var payload: Payload
}

/// What the coordinator loop hears from its other threads.
enum CoordinatorEvent: Sendable {
    // From the job feeder.
    /// Tasks to dispatch, in answer to demand.
    case tasks([PendingTask])
    /// A job is in the ledger (new or resumed); `resumed` for jobs found at start-up.
    case jobStarted(job: Int64, name: String, resumed: Bool)
    /// The feeder has handed out every pending task of a job whose walk is complete.
    case jobExhausted(job: Int64)
    /// A control reply the feeder prepared (SUBMIT, APPEND); envelope + frames.
    case reply(envelope: [[UInt8]], frames: [[UInt8]])
    /// A failed attempt was recorded; dispatch the task again.
    case retry(PendingTask)
    /// A task was quarantined after too many crashes or hangs.
    case quarantined(PendingTask, message: String)

    // From the collector.
    /// Results durably committed: task id, job, whether a new document was stored.
    case committed([CommittedTask])
    /// Results that could not be decoded or stored as sent (a broken or hostile worker).
    case rejected([(task: PendingTask, reason: String)])
    /// Results whose commit failed even after retries; their tasks go back to the queue.
    case commitFailed([PendingTask])

    // From the signal watcher.
    case signal(Int32)
}

struct CommittedTask: Sendable {
    var task: Int64
    var job: Int64
    /// When the attempt whose result was committed was dispatched (monotonic ns; 0 if never, e.g. a
    /// result recorded by the coordinator itself).
    var dispatchedAt: Int64 = 0
}

/// What the job feeder hears from the coordinator loop.
enum FeederRequest: Sendable {
    case submit(envelope: [[UInt8]], SubmitRequest)
    case append(envelope: [[UInt8]], AppendRequest)
    /// The coordinator can take this many more tasks.
    case demand(Int)
    /// Record a failed attempt (and quarantine the task when it crashed or hung too often).
    case attemptFailed(PendingTask, AttemptFailure)
    /// The coordinator holds nothing of this job, yet the ledger says tasks are pending: page again from the start.
    case rescan(job: Int64)
    case stop
}
