// The job feeder: a dedicated thread that owns the job ledger's writes other than result commits.
// It creates jobs (SUBMIT), adds paths (APPEND), walks directories lazily in slices, and pages
// pending tasks out of the ledger into the coordinator's bounded window, on demand. It also
// records failed attempts and quarantines poison files. Keeping these store writes off the
// coordinator thread means dispatch never waits for the collector's transactions. When the store
// cannot be reached, a page or walk slice is retried a second later, a SUBMIT or APPEND is refused
// with the error (nothing was recorded), and a failed attempt is dispatched again uncounted.

import Foundation
import GongkaiCore
import GongkaiDecode
import GongkaiStore
import GongkaiWire
import Logging

/// Ledger-facing settings of the ``JobFeeder``.
struct FeederConfiguration: Sendable {
    /// Paths per `addTasks` transaction while walking (at most a quarter of the coordinator's
    /// window). Walk order is the directory's, so each path lands on a random page of the
    /// `(job_id, path)` index: bigger slices dirty fewer pages per path (1,000 → 4,096: the
    /// feeder's CPU per task fell from ~9 to ~6 µs at 100,000 reports, 24 to 17 at 1,000,000).
    var walkSlice = 4096
    /// Tasks per `pendingTasks` page.
    var pageSize = 1000
    /// Crash or hang attempts after which a task is quarantined.
    var maxCrashes = 3
    /// For quarantine messages.
    var taskTimeout: Duration = .seconds(30)
}

final class JobFeeder: Sendable {
    let configuration: FeederConfiguration
    private let requests = BlockingQueue<FeederRequest>()

    init(configuration: FeederConfiguration) {
        self.configuration = configuration
    }

    func post(_ request: FeederRequest) {
        requests.push(request)
    }

    // MARK: - The feeder thread

    /// One job as the feeder walks and pages it. Lives on the feeder thread only.
    private final class FeedJob {
        let id: Int64
        let recursive: Bool
        let glob: String?
        /// Roots not yet walked (SUBMIT's, then APPEND's directories), and the walk in progress.
        var roots: [String]
        var walker: FileWalker?
        /// Open for APPEND (SUBMIT `open: true` and no APPEND `close: true` yet).
        var open: Bool
        var walkComplete: Bool
        /// The last task id handed to the coordinator: every pending task above it is still to hand out.
        var cursor: Int64 = 0
        /// Whether the last page found nothing above `cursor`.
        var caughtUp = false
        var exhaustedSent = false
        var walked = 0
        /// Paths taken from the walker whose `addTasks` failed (the store was unreachable): the
        /// next slice adds them first, so a failed slice is retried, never skipped.
        var unsaved: [String] = []

        init(id: Int64, roots: [String], recursive: Bool, glob: String?, open: Bool, walkComplete: Bool) {
            self.id = id
            self.roots = roots
            self.recursive = recursive
            self.glob = glob
            self.open = open
            self.walkComplete = walkComplete
        }

        var hasWalkWork: Bool { walker != nil || !roots.isEmpty || !unsaved.isEmpty }
    }

    /// The feeder thread's body; returns after ``FeederRequest/stop``.
    func run(store: any SummaryStoring, logger: Logger, events: Mailbox<CoordinatorEvent>) {
        var jobs: [FeedJob] = []
        var demand = 0

        // Resume what a previous coordinator left unfinished.
        do {
            for status in try Self.retryingWhileUnavailable(logger: logger, { try store.unfinishedJobs() }) {
                let job = FeedJob(id: status.id, roots: status.walkComplete ? [] : status.roots, recursive: status.recursive,
                                  glob: status.glob, open: false, walkComplete: status.walkComplete)
                jobs.append(job)
                let label = status.name.isEmpty ? "" : " (\(status.name))"
                let walk = status.walkComplete ? "" : "; walking its roots again (paths already in the ledger are not added twice)"
                logger.info(
                    "resuming job \(status.id)\(label): \(status.pending) of \(status.total) tasks pending\(walk)",
                    metadata: ["job.id": "\(status.id)"])
                events.post(.jobStarted(job: status.id, name: status.name, resumed: true))
            }
        } catch {
            logger.error("cannot read unfinished jobs from the store: \(error)")
        }

        var running = true
        var progressed = false
        while running {
            // Requests first: they are cheap and replies must not wait for a walk. Sleep only when
            // the last round did nothing.
            let waitUntil = progressed ? Monotonic.now() : Monotonic.now() + 1_000_000_000
            for request in requests.take(max: 256, until: waitUntil) {
                switch request {
                case .stop:
                    running = false
                case .demand(let n):
                    demand += n
                case .submit(let envelope, let submit):
                    events.post(.reply(envelope: envelope, frames: self.submit(submit, jobs: &jobs, store: store, logger: logger, events: events)))
                case .append(let envelope, let append):
                    events.post(.reply(envelope: envelope, frames: self.append(append, jobs: jobs, store: store, logger: logger)))
                case .attemptFailed(let task, let failure):
                    recordFailure(task, failure, store: store, logger: logger, events: events)
                case .rescan(let id):
                    rescan(id, jobs: &jobs, store: store, logger: logger)
                }
            }
            guard running else { break }
            progressed = false
            if demand > 0 {
                let (handed, moved) = feed(max: demand, jobs: &jobs, store: store, logger: logger, events: events)
                demand -= handed
                progressed = moved
            }
        }
    }

    /// Runs `body`, retrying it with backoff (0.1 s doubling to 5 s, about 20 s in all) while the
    /// store cannot be reached; other errors, and the last failure, are thrown.
    private static func retryingWhileUnavailable<T>(logger: Logger, _ body: () throws -> T) throws -> T {
        var backoff = Backoff()
        var attempt = 1
        while true {
            do {
                return try body()
            } catch where StoreError.isRetryable(error) && attempt < 10 {
                let wait = backoff.next()
                logger.warning("store unavailable, retry \(attempt) in \(wait): \(error)")
                Monotonic.sleep(wait)
                attempt += 1
            }
        }
    }

    private func rescan(_ id: Int64, jobs: inout [FeedJob], store: any SummaryStoring, logger: Logger) {
        logger.warning("job \(id): the ledger may still have pending tasks the coordinator does not hold; paging them again",
                       metadata: ["job.id": "\(id)"])
        if let job = jobs.first(where: { $0.id == id }) {
            job.cursor = 0
            job.caughtUp = false
            job.exhaustedSent = false
        } else if let status = try? Self.retryingWhileUnavailable(logger: logger, { try store.jobStatus(job: id) }) {
            jobs.append(FeedJob(id: id, roots: [], recursive: status.recursive, glob: status.glob, open: false,
                                walkComplete: status.walkComplete))
            jobs.sort { $0.id < $1.id }
        }
    }

    /// Hands out up to `max` tasks from the oldest job that has some, walking a slice when the
    /// ledger has nothing more to page. Returns how many tasks were handed out, and whether
    /// anything moved (a page, a walk slice, a state change).
    private func feed(max: Int, jobs: inout [FeedJob], store: any SummaryStoring, logger: Logger,
                      events: Mailbox<CoordinatorEvent>) -> (handed: Int, progressed: Bool) {
        defer { jobs.removeAll { $0.exhaustedSent } }
        for job in jobs where !job.exhaustedSent {
            do {
                if !job.caughtUp {
                    let page = try store.pendingTasks(job: job.id, limit: min(max, configuration.pageSize), afterTaskId: job.cursor)
                    if let last = page.last { job.cursor = last.id }
                    if page.count < min(max, configuration.pageSize) { job.caughtUp = true }
                    if !page.isEmpty {
                        events.post(.tasks(page.map {
                            PendingTask(id: $0.id, job: $0.job, path: $0.path, attempt: UInt16(clamping: $0.attempts + 1), crashes: $0.crashes)
                        }))
                        return (page.count, true)
                    }
                }
                if job.hasWalkWork {
                    let handed = try walkSlice(job, limit: max, store: store, logger: logger, events: events)
                    return (handed, true)
                }
                if !job.walkComplete && !job.open {
                    try store.markWalkComplete(job: job.id)
                    job.walkComplete = true
                    logger.info("job \(job.id): walk complete, \(job.walked) paths walked", metadata: ["job.id": "\(job.id)"])
                    // Tasks added since the last page are still to hand out.
                    job.caughtUp = false
                    return (0, true)
                }
                if job.walkComplete && job.caughtUp {
                    job.exhaustedSent = true
                    events.post(.jobExhausted(job: job.id))
                }
            } catch {
                logger.error("job \(job.id): ledger error: \(error); retrying in 1 s", metadata: ["job.id": "\(job.id)"])
                return (0, false)
            }
        }
        return (0, false)
    }

    /// Walks up to one slice of paths and adds them to the ledger (idempotent per path). When the
    /// job was caught up, the new tasks are exactly the slice's new pending entries: they go to the
    /// coordinator at once, without reading them back. Returns how many were handed out.
    private func walkSlice(_ job: FeedJob, limit: Int, store: any SummaryStoring, logger: Logger,
                           events: Mailbox<CoordinatorEvent>) throws -> Int {
        var paths = job.unsaved
        if paths.isEmpty {
            if job.walker == nil {
                guard !job.roots.isEmpty else { return 0 }
                let roots = job.roots
                job.roots = []
                job.walker = FileWalker(roots: roots, options: .init(recursive: job.recursive, glob: job.glob))
            }
            let slice = min(configuration.walkSlice, Swift.max(limit, 1))
            paths.reserveCapacity(slice)
            while paths.count < slice, let path = job.walker?.next() {
                paths.append(path)
            }
            if paths.count < slice {
                if let errors = job.walker?.errors, !errors.isEmpty {
                    logger.warning("job \(job.id): cannot open \(errors.count) path(s), e.g. \(errors[0])", metadata: ["job.id": "\(job.id)"])
                }
                job.walker = nil
            }
        }
        guard !paths.isEmpty else { return 0 }
        job.unsaved = paths
        let refs = try store.addTasks(job: job.id, paths: paths)
        job.unsaved = []
        job.walked += paths.count
        let fresh = refs.filter { $0.id > job.cursor && $0.state == .pending }
        guard !fresh.isEmpty else { return 0 }
        guard job.caughtUp else { return 0 }  // older pending tasks first: the next page finds these too
        // Ids only grow, so the largest is the new cursor; a path twice in one slice is one task.
        var seen = Set<Int64>()
        var tasks: [PendingTask] = []
        tasks.reserveCapacity(fresh.count)
        for ref in fresh where seen.insert(ref.id).inserted {
            tasks.append(PendingTask(id: ref.id, job: ref.job, path: ref.path, attempt: UInt16(clamping: ref.attempts + 1), crashes: ref.crashes))
            job.cursor = Swift.max(job.cursor, ref.id)
        }
        events.post(.tasks(tasks))
        return tasks.count
    }

    private func submit(_ request: SubmitRequest, jobs: inout [FeedJob], store: any SummaryStoring, logger: Logger,
                        events: Mailbox<CoordinatorEvent>) -> [[UInt8]] {
        if let bad = request.paths.first(where: { !$0.hasPrefix("/") }) {
            return ControlReply.error("paths must be absolute (as the coordinator's host sees them): \(bad)").encode()
        }
        do {
            let name = request.name ?? ""
            let id = try store.createJob(name: name, roots: request.paths, recursive: request.recursive, glob: request.glob)
            jobs.append(FeedJob(id: id, roots: request.paths, recursive: request.recursive, glob: request.glob,
                                open: request.open, walkComplete: false))
            var details = "\(request.paths.count) path(s)"
            if request.recursive { details += ", recursive" }
            if let glob = request.glob { details += ", glob \(glob)" }
            if request.open { details += ", open for APPEND" }
            let label = name.isEmpty ? "" : " (\(name))"
            logger.info("job \(id) submitted\(label): \(details)", metadata: ["job.id": "\(id)"])
            events.post(.jobStarted(job: id, name: name, resumed: false))
            return ControlReply.submitted(job: Int(id)).encode()
        } catch {
            logger.error("SUBMIT failed: \(error)")
            return ControlReply.error("cannot create the job: \(error)").encode()
        }
    }

    private func append(_ request: AppendRequest, jobs: [FeedJob], store: any SummaryStoring, logger: Logger) -> [[UInt8]] {
        guard let job = jobs.first(where: { $0.id == Int64(request.job) }) else {
            return ControlReply.error("job \(request.job) is not open for APPEND (unknown, closed, or resumed after a coordinator restart)").encode()
        }
        guard job.open else {
            return ControlReply.error("job \(request.job) is not open for APPEND (submitted without \"open\", or already closed)").encode()
        }
        if let bad = request.paths.first(where: { !$0.hasPrefix("/") }) {
            return ControlReply.error("paths must be absolute (as the coordinator's host sees them): \(bad)").encode()
        }
        // Files go into the ledger now, so that the reply means "durable"; directories are walked later.
        var files: [String] = []
        for path in request.paths {
            var st = stat()
            if stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR {
                job.roots.append(path)
            } else {
                files.append(path)
            }
        }
        do {
            var start = 0
            while start < files.count {
                let end = min(start + configuration.walkSlice, files.count)
                let refs = try store.addTasks(job: job.id, paths: Array(files[start..<end]))
                if refs.contains(where: { $0.id > job.cursor && $0.state == .pending }) { job.caughtUp = false }
                start = end
            }
        } catch {
            logger.error("APPEND to job \(job.id) failed: \(error)", metadata: ["job.id": "\(job.id)"])
            return ControlReply.error("cannot add the paths: \(error)").encode()
        }
        job.walked += files.count
        if request.close {
            job.open = false
            logger.info("job \(job.id) closed for APPEND", metadata: ["job.id": "\(job.id)"])
        }
        logger.debug("APPEND to job \(job.id): \(files.count) file(s), \(request.paths.count - files.count) directory(ies)",
                     metadata: ["job.id": "\(job.id)"])
        return ControlReply.appended(job: request.job).encode()
    }

    private func recordFailure(_ task: PendingTask, _ failure: AttemptFailure, store: any SummaryStoring, logger: Logger,
                               events: Mailbox<CoordinatorEvent>) {
        var task = task
        do {
            let counts = try store.recordAttempt(task: task.id, crashed: failure.countsAsCrash)
            task.attempt = UInt16(clamping: counts.attempts + 1)
            task.crashes = counts.crashes
            guard failure.countsAsCrash else { return }  // the coordinator re-queued it already
            if counts.crashes >= configuration.maxCrashes {
                let message = quarantineMessage(task, counts: counts)
                if try store.quarantine(task: task.id, message: message) {
                    logger.warning("quarantined \(task.path): \(message)", metadata: ["task.id": "\(task.id)", "job.id": "\(task.job)"])
                }
                events.post(.quarantined(task, message: message))
            } else {
                events.post(.retry(task))
            }
        } catch {
            logger.error("cannot record a failed attempt of task \(task.id): \(error); dispatching it again",
                         metadata: ["task.id": "\(task.id)"])
            if failure.countsAsCrash { events.post(.retry(task)) }
        }
    }

    private func quarantineMessage(_ task: PendingTask, counts: TaskAttempts) -> String {
        let seconds = Double(Monotonic.nanoseconds(configuration.taskTimeout)) / 1e9
        let timeout = seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
        var parts: [String] = []
        if task.seenCrashes > 0 { parts.append("\(task.seenCrashes) crash\(task.seenCrashes == 1 ? "" : "es") (worker died)") }
        if task.seenHangs > 0 { parts.append("\(task.seenHangs) hang\(task.seenHangs == 1 ? "" : "s") (over --task-timeout \(timeout))") }
        let earlier = counts.crashes - task.seenCrashes - task.seenHangs
        if earlier > 0 { parts.append("\(earlier) before a coordinator restart") }
        return "隔离：解析时进程反复崩溃或卡死 (quarantined: \(counts.crashes) of \(counts.attempts) attempts crashed or hung a worker: "
            + parts.joined(separator: ", ") + ")"
    }
}
