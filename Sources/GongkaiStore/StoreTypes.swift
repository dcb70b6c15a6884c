// Values the store hands out: job and task ledger entries, commit receipts, summaries.

import GongkaiCore

// MARK: - Errors

/// An error of the summary store. SQLite's own errors surface as GRDB's `DatabaseError`; the
/// PostgreSQL store reports the server's errors as ``Code/database`` and a lost or refused
/// connection as ``Code/unavailable`` (see ``isRetryable``).
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as a stable code.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        /// A job id that the ledger does not hold.
        public static let unknownJob = Code("unknown_job")
        /// A task id that the ledger does not hold.
        public static let unknownTask = Code("unknown_task")
        /// A content hash that is not 64 hexadecimal digits.
        public static let invalidHash = Code("invalid_hash")
        /// The database was written by a newer version with migrations this version does not know.
        public static let newerSchema = Code("newer_schema")
        /// A read-only store whose schema is older than this version's (open it for writing once).
        public static let outdatedSchema = Code("outdated_schema")
        /// A stored value that cannot be read back (corrupt or foreign data).
        public static let corruptRow = Code("corrupt_row")
        /// The database server cannot be reached now (refused, restarted, connection lost). Nothing
        /// of the failed call was committed; the same call may be retried, and the store reconnects.
        public static let unavailable = Code("unavailable")
        /// The database server refused a statement (a constraint, a permission, a bad URL's database).
        public static let database = Code("database")
        /// A store location (`--store`) that cannot be used, e.g. a malformed `postgres://` URL.
        public static let invalidLocation = Code("invalid_location")
        public var description: String { raw }
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    /// Whether the failed call may simply be tried again later: the database was unreachable
    /// (``Code/unavailable``). Every store call is all or nothing, so a retry never doubles anything.
    public var isRetryable: Bool { code == .unavailable }

    /// Whether `error` is a store error worth retrying (``isRetryable``).
    public static func isRetryable(_ error: any Error) -> Bool {
        (error as? StoreError)?.isRetryable ?? false
    }

    /// Errors are equal when their codes are.
    public static func == (a: StoreError, b: StoreError) -> Bool { a.code == b.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

// MARK: - Jobs and tasks

/// Where a job is: still adding tasks, working through them, or finished.
public enum JobState: String, Sendable, Hashable, CaseIterable {
    /// The coordinator is still walking the job's roots and adding tasks.
    case walking
    /// Every task is known; some are pending.
    case running
    /// Every task is known and none is pending.
    case done
}

/// A job and its progress, read from the ledger.
///
/// The counts are disjoint: `total = pending + done + failed + quarantined`.
public struct JobStatus: Sendable, Hashable {
    public var id: Int64
    public var name: String
    /// The files or directories the job was submitted with.
    public var roots: [String]
    public var recursive: Bool
    /// The file-name pattern the walk keeps, if any.
    public var glob: String?
    /// When the job was created, ISO 8601 UTC (`2024-01-31T08:00:00.000Z`).
    public var createdAt: String
    /// Whether the walk has added every task.
    public var walkComplete: Bool
    public var total: Int
    /// Tasks with no committed result yet.
    public var pending: Int
    /// Tasks whose document was parsed (status `ok` or `incomplete`).
    public var done: Int
    /// Tasks with any other result (`empty`, `binary`, `not_report`, `io_error`, …).
    public var failed: Int
    /// Tasks set aside because they crashed or hung workers.
    public var quarantined: Int

    package init(
        id: Int64, name: String, roots: [String], recursive: Bool, glob: String?, createdAt: String,
        walkComplete: Bool, total: Int, pending: Int, done: Int, failed: Int, quarantined: Int
    ) {
        self.id = id
        self.name = name
        self.roots = roots
        self.recursive = recursive
        self.glob = glob
        self.createdAt = createdAt
        self.walkComplete = walkComplete
        self.total = total
        self.pending = pending
        self.done = done
        self.failed = failed
        self.quarantined = quarantined
    }

    public var state: JobState {
        if !walkComplete { return .walking }
        return pending > 0 ? .running : .done
    }

    /// Tasks with a final outcome.
    public var finished: Int { done + failed + quarantined }
}

/// Where a task is in the ledger.
public enum TaskState: String, Sendable, Hashable, CaseIterable {
    /// No result committed yet (it may be leased to a worker: leases live in the coordinator's memory).
    case pending
    /// A result was committed.
    case done
    /// Set aside as poison.
    case quarantined
}

/// One file of a job, as the ledger holds it.
public struct TaskRef: Sendable, Hashable {
    public var id: Int64
    public var job: Int64
    public var path: String
    public var state: TaskState
    /// The result status once the task is not pending.
    public var status: ReportStatus?
    /// Attempts counted by ``SummaryStore/recordAttempt(task:crashed:)``.
    public var attempts: Int
    /// The attempts that crashed or hung a worker.
    public var crashes: Int

    public init(
        id: Int64, job: Int64, path: String, state: TaskState = .pending, status: ReportStatus? = nil,
        attempts: Int = 0, crashes: Int = 0
    ) {
        self.id = id
        self.job = job
        self.path = path
        self.state = state
        self.status = status
        self.attempts = attempts
        self.crashes = crashes
    }
}

/// A task's attempt counters after ``SummaryStore/recordAttempt(task:crashed:)``.
public struct TaskAttempts: Sendable, Hashable {
    public var attempts: Int
    public var crashes: Int

    public init(attempts: Int, crashes: Int) {
        self.attempts = attempts
        self.crashes = crashes
    }
}

// MARK: - Commits

/// What one ``SummaryStore/commit(_:)`` did with each task of the batch.
public struct CommitReceipt: Sendable, Hashable {
    /// Tasks whose document was stored by this commit (new content hash).
    public var stored: [Int64] = []
    /// Tasks whose document was already stored (same content hash), by an earlier commit, an
    /// earlier result in the same batch, or an earlier delivery of the same result. Only the
    /// task was updated.
    public var duplicates: [Int64] = []
    /// Tasks recorded without a document: no content hash (`io_error`, `too_large`) or `quarantined`.
    public var taskOnly: [Int64] = []
    /// Task ids the ledger does not hold. Nothing was written for them.
    public var unknownTasks: [Int64] = []

    public init() {}

    /// Every task whose outcome is now durable.
    public var committed: Int { stored.count + duplicates.count + taskOnly.count }
}

// MARK: - Summaries

/// How ``SummaryStore/summary(by:)`` groups reports.
public enum SummaryDimension: String, Sendable, Hashable, CaseIterable {
    case year
    case region
    /// By normalised agency name (``SummaryStore/agencyKey(_:)``).
    case agency
}

/// Totals over a group of parsed reports (status `ok` or `incomplete`).
public struct SummaryRow: Sendable, Hashable {
    /// The year, region or normalised agency name; `nil` for reports where it could not be read.
    public var key: String?
    public var reports: Int
    /// Reports with at least one `error` finding.
    public var reportsWithErrors: Int
    /// Sum of `table3.new.total`.
    public var applicationsReceived: Int64
    /// Sum of `granted.total` / sum of `results_total.total`, over reports that have both.
    public var grantedShare: Double?
    /// Sum of `table4.review.total`.
    public var reviews: Int64
    /// Sum of `table4.litigation_direct.total` + `table4.litigation_after_review.total`.
    public var lawsuits: Int64
    /// Sum of `review.corrected` / sum of `review.total`.
    public var correctedShareOfReviews: Double?
    /// Corrected lawsuits (both groups) / lawsuits.
    public var correctedShareOfLawsuits: Double?

    package init(
        key: String?, reports: Int, reportsWithErrors: Int, applicationsReceived: Int64, grantedShare: Double?,
        reviews: Int64, lawsuits: Int64, correctedShareOfReviews: Double?, correctedShareOfLawsuits: Double?
    ) {
        self.key = key
        self.reports = reports
        self.reportsWithErrors = reportsWithErrors
        self.applicationsReceived = applicationsReceived
        self.grantedShare = grantedShare
        self.reviews = reviews
        self.lawsuits = lawsuits
        self.correctedShareOfReviews = correctedShareOfReviews
        self.correctedShareOfLawsuits = correctedShareOfLawsuits
    }
}

/// A check across two reports of the same agency in consecutive years that did not hold.
public struct CrossReportFinding: Sendable, Hashable {
    /// ``Rule/crossCarryOver`` or ``Rule/crossInForce``.
    public var rule: Rule
    /// The cell of this year's report: `table3.carried_over.total`, `table2.regulations.in_force`, ….
    public var cell: String
    /// The normalised agency name.
    public var agency: String
    public var year: Int
    public var sha256: String
    /// The report of `year - 1` it was compared with.
    public var previousSha256: String
    /// This year's figure.
    public var found: Int64
    /// What last year's report says it should be.
    public var expected: Int64

    package init(
        rule: Rule, cell: String, agency: String, year: Int, sha256: String, previousSha256: String, found: Int64,
        expected: Int64
    ) {
        self.rule = rule
        self.cell = cell
        self.agency = agency
        self.year = year
        self.sha256 = sha256
        self.previousSha256 = previousSha256
        self.found = found
        self.expected = expected
    }

    /// The same, as a finding on this year's report.
    public var finding: Finding {
        let message: String
        switch rule {
        case .crossCarryOver:
            message = "上年结转 \(found) 与上一年度报告的结转下年度 \(expected) 不符"
        default:
            message = "\(cell) 为 \(found)，按上一年度现行有效件数及本年制发、废止数应为 \(expected)"
        }
        return Finding(
            rule: rule, cells: [cell], message: message, found: Double(found), expected: Double(expected))
    }
}
