// The collector: a dedicated thread that decodes results (ReportCodec) and commits them to the
// summary store in big batched transactions, then tells the coordinator which tasks are durably
// done. A task counts as done only after this commit.

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

    /// Results waiting for a commit.
    var depth: Int { queue.count }

    /// Whether the coordinator should stop granting new tasks.
    var isFull: Bool { queue.count >= configuration.queueLimit }

    /// Commits what is queued, then makes ``run(store:logger:events:)`` return.
    func finish() {
        queue.close()
    }

    /// The collector thread: take a batch, decode, commit, acknowledge; until ``finish()`` and empty.
    func run(store: SummaryStore, logger: Logger, events: Mailbox<CoordinatorEvent>) {
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
    private func commit(_ items: [CollectorItem], store: SummaryStore, logger: Logger, events: Mailbox<CoordinatorEvent>) -> Int {
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

        // SQLite errors here are transient in practice (a full disk, a reader's lock on a network
        // file system): retry the whole transaction, then hand the tasks back for re-dispatch.
        var lastError: (any Error)?
        for wait in [0, 200, 1000, 5000] {
            if wait > 0 { usleep(UInt32(wait) * 1000) }
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
                if !receipt.unknownTasks.isEmpty {
                    logger.warning("\(receipt.unknownTasks.count) result(s) for tasks the ledger does not hold were not stored")
                }
                return batch.count
            } catch {
                lastError = error
                logger.error("commit of \(batch.count) results failed: \(error)")
            }
        }
        logger.error("giving up on a batch of \(batch.count) results after 4 tries; re-dispatching its tasks: \(String(describing: lastError))")
        events.post(.commitFailed(accepted.map(\.task)))
        return 0
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
