// What the cluster and the CLI need of a summary store, whichever database holds it.

import Foundation
import GongkaiCore

/// The summary store's API: the job and task ledger, idempotent result commits, exports and
/// summaries. ``SummaryStore`` (SQLite, the embedded default) and `PostgresStore`
/// (`GongkaiPostgres`) implement it with the same schema, the same migrations and the same
/// figures; `SummaryStores.open(_:readOnly:logger:)` in `GongkaiPostgres` picks one from a
/// ``StoreLocation``.
///
/// Every method is synchronous and blocks its caller while the database works: call it from a
/// dedicated thread (the collector's, the feeder's, the coordinator's loop), never from the
/// cooperative thread pool or a NIO event loop. Every method is one transaction, all or nothing:
/// a call that throws ``StoreError`` with code ``StoreError/Code/unavailable`` committed nothing
/// and may be retried (``StoreError/isRetryable``).
public protocol SummaryStoring: AnyObject, Sendable {
    /// Whether the store was opened without write access.
    var isReadOnly: Bool { get }

    /// Makes the store self-contained on disk when the cluster drains (SQLite: a WAL
    /// checkpoint); a no-op where the database needs none.
    func checkpoint() throws

    /// The schema version of the open database (`meta.schema_version`).
    func schemaVersion() throws -> Int

    /// How many rows the main tables hold.
    func counts() throws -> (documents: Int, findings: Int, tasks: Int, jobs: Int)

    // MARK: The ledger

    /// Creates a job and returns its id. See ``SummaryStore/createJob(name:roots:recursive:glob:)``.
    func createJob(name: String, roots: [String], recursive: Bool, glob: String?) throws -> Int64

    /// Adds files to a job in one transaction, idempotently per path; returns each path's entry.
    @discardableResult
    func addTasks(job: Int64, paths: [String]) throws -> [TaskRef]

    /// Records that the walk of the job's roots has added every task.
    func markWalkComplete(job: Int64) throws

    /// One page of a job's pending tasks, in id order, after `afterTaskId`.
    func pendingTasks(job: Int64, limit: Int, afterTaskId: Int64) throws -> [TaskRef]

    /// One task's ledger entry, or `nil`.
    func task(_ id: Int64) throws -> TaskRef?

    /// Counts one more attempt at a task, and one more crash when `crashed`.
    @discardableResult
    func recordAttempt(task: Int64, crashed: Bool) throws -> TaskAttempts

    /// Sets a pending task aside as poison; `false` when it already had a final outcome.
    @discardableResult
    func quarantine(task: Int64, message: String) throws -> Bool

    /// A job's progress, or `nil`.
    func jobStatus(job: Int64) throws -> JobStatus?

    /// Every job, oldest first.
    func allJobs() throws -> [JobStatus]

    /// The jobs a restarted coordinator must resume, oldest first.
    func unfinishedJobs() throws -> [JobStatus]

    // MARK: Results

    /// Commits a batch of results in one transaction, idempotently by content hash.
    /// See ``SummaryStore/commit(_:)``.
    @discardableResult
    func commit(_ results: [(task: Int64, report: Report)]) throws -> CommitReceipt

    /// The full report stored under a content hash, or `nil`.
    func report(sha256: String) throws -> Report?

    /// Streams a job's tasks with their documents' key figures, in task order, from one
    /// consistent snapshot. `body` must not call back into the store.
    func results(job: Int64, _ body: (ResultRow) throws -> Void) throws

    // MARK: Summaries

    /// Totals over the parsed reports, grouped by year, region or normalised agency name, in
    /// key order (unknown key first).
    func summary(by dimension: SummaryDimension) throws -> [SummaryRow]

    /// How many findings each rule produced, most frequent first.
    func findingsByRule() throws -> [(rule: String, severity: Severity, count: Int)]

    /// The checks across reports that did not hold.
    func crossReportFindings() throws -> [CrossReportFinding]
}

extension SummaryStoring {
    /// Creates a job with no file-name pattern.
    public func createJob(name: String, roots: [String], recursive: Bool) throws -> Int64 {
        try createJob(name: name, roots: roots, recursive: recursive, glob: nil)
    }

    /// The first page of a job's pending tasks.
    public func pendingTasks(job: Int64, limit: Int) throws -> [TaskRef] {
        try pendingTasks(job: job, limit: limit, afterTaskId: 0)
    }

    /// Writes a job's results as NDJSON or CSV through `write`, one terminated line per call
    /// (the CSV header first).
    public func exportResults(job: Int64, format: ExportFormat, write: (String) throws -> Void) throws {
        switch format {
        case .ndjson:
            try results(job: job) { try write($0.jsonLine + "\n") }
        case .csv:
            try write(ResultRow.csvHeader + CSV.lineTerminator)
            try results(job: job) { try write($0.csvRecord + CSV.lineTerminator) }
        }
    }

    /// Writes a job's results as NDJSON or CSV to a file handle (standard output, a file),
    /// buffered in blocks of about 64 KiB.
    public func exportResults(job: Int64, format: ExportFormat, to handle: FileHandle) throws {
        var buffer = ""
        buffer.reserveCapacity(1 << 16)
        try exportResults(job: job, format: format) { line in
            buffer += line
            if buffer.utf8.count >= 1 << 16 {
                try handle.write(contentsOf: Data(buffer.utf8))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if !buffer.isEmpty { try handle.write(contentsOf: Data(buffer.utf8)) }
    }
}

/// Where a summary store lives, as `--store` gives it: a `postgres://` or `postgresql://` URL
/// is a PostgreSQL database; anything else is the path of an SQLite file.
public enum StoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database, `postgres://user:password@host:port/database`.
    case postgres(url: String)

    /// Classifies a `--store` value. The URL scheme is matched without regard to case.
    public init(_ text: String) {
        let lower = text.prefix(13).lowercased()
        if lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://") {
            self = .postgres(url: text)
        } else {
            self = .sqlite(path: text)
        }
    }

    /// The value as given: the path, or the URL with its password.
    public var text: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let url): return url
        }
    }

    /// The path, or the URL with any password replaced by `***`: safe for logs.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return path
        case .postgres(let url):
            guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else {
                return url
            }
            let userInfo = url[scheme.upperBound..<at]
            guard let colon = userInfo.firstIndex(of: ":") else { return url }
            return String(url[..<colon]) + ":***" + String(url[at...])
        }
    }
}
