// The coordinator's durable ledger: jobs and their tasks.

import Foundation
import GRDB
import GongkaiCore

extension SummaryStore {
    /// Creates a job and returns its id. Tasks are added as the coordinator walks the roots.
    ///
    /// - Parameters:
    ///   - name: A label for people (`gongkai status` shows it).
    ///   - roots: The files and directories submitted.
    ///   - recursive: Whether directories are walked recursively.
    ///   - glob: The file-name pattern the walk keeps, if any.
    public func createJob(name: String, roots: [String], recursive: Bool, glob: String?) throws -> Int64 {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let rootsJSON = String(decoding: try encoder.encode(roots), as: UTF8.self)
        return try writer.write { db in
            try db.execute(
                sql: "INSERT INTO jobs (name, roots, recursive, glob) VALUES (?, ?, ?, ?)",
                arguments: [name, rootsJSON, recursive, glob])
            return db.lastInsertedRowID
        }
    }

    /// Adds files to a job in one transaction, and returns the ledger entry of each, in order.
    ///
    /// Idempotent: a path the job already has (a coordinator that restarted and walks again)
    /// is not added twice; its existing entry, with its state, comes back instead, so the
    /// caller dispatches only the entries still ``TaskState/pending``.
    ///
    /// - Throws: ``StoreError`` ``StoreError/Code/unknownJob`` for a job the ledger does not hold.
    @discardableResult
    public func addTasks(job: Int64, paths: [String]) throws -> [TaskRef] {
        try writer.write { db in
            try Self.requireJob(job, db)
            // No RETURNING: SQLite builds an ephemeral table per statement for it, which costs
            // more than the insert itself.
            let insert = BoundStatement(
                try db.cachedStatement(
                    sql: "INSERT INTO tasks (job_id, path) VALUES (?, ?) ON CONFLICT (job_id, path) DO NOTHING"),
                parameterCount: 2)
            let existing = try db.cachedStatement(
                sql:
                    "SELECT id, job_id, path, state, status, attempts, crashes FROM tasks WHERE job_id = ? AND path = ?"
            )
            var refs: [TaskRef] = []
            refs.reserveCapacity(paths.count)
            for path in paths {
                try insert.bind { sink in
                    sink.int(0, job)
                    sink.text(1, path)
                }
                try insert.statement.execute()
                if db.changesCount > 0 {
                    refs.append(TaskRef(id: db.lastInsertedRowID, job: job, path: path))
                } else if let row = try Row.fetchOne(existing, arguments: [job, path]) {
                    refs.append(try Self.taskRef(row))
                }
            }
            return refs
        }
    }

    /// Records that the walk of the job's roots has added every task.
    ///
    /// - Throws: ``StoreError`` ``StoreError/Code/unknownJob``.
    public func markWalkComplete(job: Int64) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE jobs SET walk_complete = 1 WHERE id = ?", arguments: [job])
            if db.changesCount == 0 { throw StoreError(.unknownJob, "no job \(job)") }
        }
    }

    /// One page of a job's pending tasks, in id order.
    ///
    /// The coordinator keeps a bounded window of tasks in memory and pages through the rest:
    /// pass the last id it holds as `afterTaskId` to get the next page.
    public func pendingTasks(job: Int64, limit: Int, afterTaskId: Int64) throws -> [TaskRef] {
        try writer.read { db in
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT id, job_id, path, state, status, attempts, crashes FROM tasks
                    WHERE job_id = ? AND state = 'pending' AND id > ? ORDER BY id LIMIT ?
                    """,
                arguments: [job, afterTaskId, max(limit, 0)])
            var refs: [TaskRef] = []
            while let row = try rows.next() { refs.append(try Self.taskRef(row)) }
            return refs
        }
    }

    /// One task's ledger entry, or `nil` when the ledger does not hold it.
    public func task(_ id: Int64) throws -> TaskRef? {
        try writer.read { db in
            try Row.fetchOne(
                db, sql: "SELECT id, job_id, path, state, status, attempts, crashes FROM tasks WHERE id = ?",
                arguments: [id]
            ).map(Self.taskRef)
        }
    }

    /// Counts one more attempt at a task, and one more crash when `crashed`.
    ///
    /// The coordinator calls it when an attempt ends without a result: `crashed` when the worker
    /// died or its lease timed out. The returned counts drive its poison policy (quarantine
    /// after N crashes).
    ///
    /// - Throws: ``StoreError`` ``StoreError/Code/unknownTask``.
    @discardableResult
    public func recordAttempt(task: Int64, crashed: Bool) throws -> TaskAttempts {
        try writer.write { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    UPDATE tasks SET attempts = attempts + 1, crashes = crashes + ? WHERE id = ?
                    RETURNING attempts, crashes
                    """,
                arguments: [crashed ? 1 : 0, task])
            guard let row else { throw StoreError(.unknownTask, "no task \(task)") }
            return TaskAttempts(attempts: row[0], crashes: row[1])
        }
    }

    /// Sets a pending task aside as poison, with the reason.
    ///
    /// - Returns: `true` if the task was quarantined; `false` if it already had a final outcome
    ///   (a result committed meanwhile wins).
    /// - Throws: ``StoreError`` ``StoreError/Code/unknownTask``.
    @discardableResult
    public func quarantine(task: Int64, message: String) throws -> Bool {
        try writer.write { db in
            try db.execute(
                sql: """
                    UPDATE tasks SET state = 'quarantined', status = 'quarantined', status_message = ?,
                        finished_at = \(StoreSchema.nowSQL)
                    WHERE id = ? AND state = 'pending'
                    """,
                arguments: [message, task])
            if db.changesCount > 0 { return true }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM tasks WHERE id = ?", arguments: [task]) != nil else {
                throw StoreError(.unknownTask, "no task \(task)")
            }
            return false
        }
    }

    /// A job's progress, or `nil` when the ledger does not hold it. One row read, whatever
    /// the job's size: triggers keep the counts.
    public func jobStatus(job: Int64) throws -> JobStatus? {
        try writer.read { db in
            try Row.fetchOne(db, sql: "\(Self.jobSelect) WHERE id = ?", arguments: [job]).map(Self.jobStatus)
        }
    }

    /// Every job, oldest first.
    public func allJobs() throws -> [JobStatus] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "\(Self.jobSelect) ORDER BY id").map(Self.jobStatus)
        }
    }

    /// The jobs a restarted coordinator must resume: walk incomplete or tasks pending, oldest first.
    public func unfinishedJobs() throws -> [JobStatus] {
        try writer.read { db in
            try Row.fetchAll(db, sql: "\(Self.jobSelect) WHERE walk_complete = 0 OR n_pending > 0 ORDER BY id")
                .map(Self.jobStatus)
        }
    }

    // MARK: Rows

    static let jobSelect = """
        SELECT id, name, roots, recursive, glob, created_at, walk_complete,
               n_total, n_pending, n_done, n_failed, n_quarantined
        FROM jobs
        """

    static func jobStatus(_ row: Row) throws -> JobStatus {
        let rootsJSON: String = row[2]
        let roots = try JSONDecoder().decode([String].self, from: Data(rootsJSON.utf8))
        return JobStatus(
            id: row[0], name: row[1], roots: roots, recursive: row[3], glob: row[4], createdAt: row[5],
            walkComplete: row[6], total: row[7], pending: row[8], done: row[9], failed: row[10],
            quarantined: row[11])
    }

    static func taskRef(_ row: Row) throws -> TaskRef {
        let stateText: String = row[3]
        guard let state = TaskState(rawValue: stateText) else {
            throw StoreError(.corruptRow, "task \(row[0] as Int64) has state \(stateText)")
        }
        let statusText: String? = row[4]
        return TaskRef(
            id: row[0], job: row[1], path: row[2], state: state, status: statusText.flatMap(ReportStatus.init),
            attempts: row[5], crashes: row[6])
    }

    static func requireJob(_ job: Int64, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM jobs WHERE id = ?", arguments: [job]) != nil else {
            throw StoreError(.unknownJob, "no job \(job)")
        }
    }
}
