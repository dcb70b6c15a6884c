// The collector: a dedicated thread that decodes results (ReportCodec) and commits them to the
// summary store in big batched transactions, then tells the coordinator which tasks are durably
// done. A task counts as done only after this commit. A store that cannot be reached (PostgreSQL
// restarted) is retried with backoff until it answers.

import GongkaiCore
import GongkaiStore
import GongkaiWire
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Batching settings of the ``Collector``.
struct CollectorConfiguration: Sendable {
    /// Most results per transaction.
    var batchSize = 2000
    /// A batch is committed at the latest this long after its first result arrived.
    var maxDelay: Duration = .milliseconds(50)
    /// The coordinator stops granting tasks while this many results wait for a commit.
    var queueLimit = 4000
    /// The first wait before retrying a commit the store could not reach (``StoreError/isRetryable``);
    /// it doubles with each retry up to ``retryMaxDelay``.
    var retryDelay: Duration = .milliseconds(100)
    var retryMaxDelay: Duration = .seconds(5)
    /// After ``Collector/finish()``, how long an unreachable store is still retried before the
    /// batch is given up (its tasks stay pending in the ledger, for the next coordinator).
    var retryWhenFinishing: Duration = .seconds(30)
}

/// Owns the write path of results. ``push(_:)`` is called from the coordinator thread;
/// ``run(store:logger:events:)`` is the collector thread's body.
final class Collector: Sendable {
    let configuration: CollectorConfiguration
    private let queue = BlockingQueue<CollectorItem>()

    init(configuration: CollectorConfiguration) {
        self.configuration = configuration
    }

    /// Queues one result. Never blocks; the coordinator bounds the queue with ``isFull``.
    func push(_ item: CollectorItem) {
        queue.push(item)
    }

    /// Queues several results under one lock. Never blocks, like ``push(_:)``.
    func push(contentsOf items: [CollectorItem]) {
        queue.push(contentsOf: items)
    }

    /// Results waiting for a commit.
    var depth: Int { queue.count }

    /// Whether the coordinator should stop granting new tasks.
    var isFull: Bool { queue.count >= configuration.queueLimit }

    /// Commits what is queued, then makes ``run(store:logger:events:)`` return.
    func finish() {
        queue.close()
    }

    /// The collector thread: take a batch, decode, commit, acknowledge; until ``finish()`` and empty.
    func run(store: any SummaryStoring, logger: Logger, events: Mailbox<CoordinatorEvent>) {
        let batchSize = configuration.batchSize
        let delay = Monotonic.nanoseconds(configuration.maxDelay)
        var committedTotal = 0
        while true {
            // Wait (up to a second at a time) for the first result of a batch…
            var items = queue.take(max: batchSize, until: Monotonic.now() + 1_000_000_000)
            if items.isEmpty {
                if queue.isClosed && queue.count == 0 { break }
                continue
            }
            // …then give the batch `maxDelay` to fill up.
            let deadline = Monotonic.now() + delay
            while items.count < batchSize && !queue.isClosed {
                let more = queue.take(max: batchSize - items.count, atLeast: batchSize - items.count, until: deadline)
                items.append(contentsOf: more)
                if Monotonic.now() >= deadline { break }
            }
            committedTotal += commit(items, store: store, logger: logger, events: events)
        }
        logger.debug("collector stopped", metadata: ["gongkai.collector.committed": "\(committedTotal)"])
    }

    /// Decodes and commits one batch; returns how many results were committed.
    private func commit(_ items: [CollectorItem], store: any SummaryStoring, logger: Logger, events: Mailbox<CoordinatorEvent>) -> Int {
        let started = Monotonic.now()
        var batch: [(task: Int64, report: Report)] = []
        batch.reserveCapacity(items.count)
        var accepted: [CollectorItem] = []
        accepted.reserveCapacity(items.count)
        var rejected: [(task: PendingTask, reason: String)] = []
        for item in items {
            let report: Report
            switch item.payload {
            case .report(let made):
                report = made
            case .encoded(let bytes):
                do {
                    report = try ReportCodec.decode(bytes)
                } catch {
                    rejected.append((item.task, "undecodable report: \(error)"))
                    continue
                }
            }
            if let problem = Self.problem(report) {
                rejected.append((item.task, problem))
                continue
            }
            batch.append((item.task.id, report))
            accepted.append(item)
        }
        if !rejected.isEmpty {
            logger.warning(
                "dropped \(rejected.count) malformed result(s); their tasks will be retried",
                metadata: ["task.id": "\(rejected[0].task.id)", "reason": "\(rejected[0].reason)"])
            events.post(.rejected(rejected))
        }
        guard !batch.isEmpty else { return 0 }

        // The commit is all or nothing and idempotent, and results are acknowledged only after it,
        // so retrying the whole batch can neither lose nor double anything.
        // - An unreachable store (PostgreSQL restarted, connection lost: `StoreError.isRetryable`) is
        //   retried with backoff for as long as the collector runs; meanwhile the queue fills and the
        //   coordinator stops granting tasks. After `finish()`, for `retryWhenFinishing` more.
        // - Other errors (SQLite: a full disk, a reader's lock on a network file system) get 4 tries,
        //   then the tasks are handed back for re-dispatch.
        let otherWaits: [Duration] = [.milliseconds(200), .seconds(1), .seconds(5)]
        var otherFailures = 0
        var retries = 0
        var backoff = Backoff(first: configuration.retryDelay, limit: configuration.retryMaxDelay)
        var finishingDeadline: Int64?
        while true {
            let failure: any Error
            do {
                let receipt = try store.commit(batch)
                var acks: [CommittedTask] = []
                acks.reserveCapacity(accepted.count)
                for item in accepted { acks.append(CommittedTask(task: item.task.id, job: item.task.job, dispatchedAt: item.task.dispatchedAt)) }
                events.post(.committed(acks))
                let elapsed = Monotonic.now() - started
                logger.debug(
                    "committed \(batch.count) results in \(elapsed / 1_000_000) ms",
                    metadata: [
                        "gongkai.collector.stored": "\(receipt.stored.count)",
                        "gongkai.collector.duplicates": "\(receipt.duplicates.count)",
                        "gongkai.collector.task_only": "\(receipt.taskOnly.count)",
                        "gongkai.collector.unknown": "\(receipt.unknownTasks.count)",
                    ])
                if retries > 0 {
                    logger.info("committed a batch of \(batch.count) results after \(retries) retr\(retries == 1 ? "y" : "ies")")
                }
                if !receipt.unknownTasks.isEmpty {
                    logger.warning("\(receipt.unknownTasks.count) result(s) for tasks the ledger does not hold were not stored")
                }
                return batch.count
            } catch {
                failure = error
            }
            retries += 1
            let wait: Duration
            if StoreError.isRetryable(failure) {
                if queue.isClosed {
                    let deadline = finishingDeadline ?? Monotonic.now() + Monotonic.nanoseconds(configuration.retryWhenFinishing)
                    finishingDeadline = deadline
                    if Monotonic.now() >= deadline {
                        logger.error("giving up on a batch of \(batch.count) results while stopping; its tasks stay pending in the ledger: \(failure)")
                        events.post(.commitFailed(accepted.map(\.task)))
                        return 0
                    }
                }
                wait = backoff.next()
                logger.warning("store unavailable, retry \(retries) of a batch of \(batch.count) results in \(wait): \(failure)")
            } else {
                otherFailures += 1
                logger.error("commit of \(batch.count) results failed: \(failure)")
                guard otherFailures <= otherWaits.count else {
                    logger.error("giving up on a batch of \(batch.count) results after \(otherFailures) tries; re-dispatching its tasks")
                    events.post(.commitFailed(accepted.map(\.task)))
                    return 0
                }
                wait = otherWaits[otherFailures - 1]
            }
            Monotonic.sleep(wait)
        }
    }

    /// Why a decoded report cannot be stored as sent, or `nil` when it can. The store would refuse
    /// the whole batch for one bad hash, so a broken worker's result is weeded out here.
    static func problem(_ report: Report) -> String? {
        if report.status == .quarantined { return "a worker may not report status quarantined" }
        let hash = report.sha256.utf8
        if hash.isEmpty { return nil }
        guard hash.count == 64, hash.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x66) }) else {
            return "sha256 is not 64 hexadecimal digits"
        }
        return nil
    }
}
