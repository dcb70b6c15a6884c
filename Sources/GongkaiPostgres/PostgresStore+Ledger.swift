// The coordinator's durable ledger, in PostgreSQL: jobs and their tasks.

import Foundation
import GongkaiCore
import GongkaiStore
import PostgresNIO

extension PostgresStore {
    /// Creates a job and returns its id. See ``SummaryStore/createJob(name:roots:recursive:glob:)``.
    public func createJob(name: String, roots: [String], recursive: Bool, glob: String?) throws -> Int64 {
        var binds = PostgresBindings()
        binds.append(name)
        binds.append(ReportRow.cellsJSON(roots))
        binds.append(Int64(recursive ? 1 : 0))
        binds.append(glob)
        return try withSession { session in
            let rows = try session.query(
                "INSERT INTO jobs (name, roots, recursive, glob) VALUES ($1, $2, $3, $4) RETURNING id", binds)
            guard let id = try rows.first?.makeRandomAccess().int(0) else {
                throw StoreError(.corruptRow, "INSERT INTO jobs returned no id")
            }
            return id
        }
    }

    /// Adds files to a job in one statement, idempotently per path, and returns each path's
    /// ledger entry in order (see ``SummaryStore/addTasks(job:paths:)``). New tasks get
    /// increasing ids in path order.
    ///
    /// - Throws: ``StoreError`` ``StoreError/Code/unknownJob``.
    @discardableResult
    public func addTasks(job: Int64, paths: [String]) throws -> [TaskRef] {
        var binds = PostgresBindings()
        binds.append(job)
        binds.append(paths)
        return try transaction { session in
            try requireJob(job, session)
            if paths.isEmpty { return [] }
            // The CTE's insert is invisible to the outer query's `tasks`, but its RETURNING is not:
            // a new path is found in `ins`, an existing one in `tasks`.
            let rows = try session.query(
                """
                WITH input AS (SELECT u.path, u.ord FROM unnest($2::text[]) WITH ORDINALITY AS u(path, ord)),
                ins AS (
                    INSERT INTO tasks (job_id, path) SELECT $1, path FROM input ORDER BY ord
                    ON CONFLICT (job_id, path) DO NOTHING RETURNING id, path
                )
                SELECT COALESCE(n.id, t.id), $1::bigint, i.path, COALESCE(t.state, 'pending'), t.status,
                       COALESCE(t.attempts, 0), COALESCE(t.crashes, 0)
                FROM input i LEFT JOIN ins n ON n.path = i.path
                    LEFT JOIN tasks t ON t.job_id = $1 AND t.path = i.path
                ORDER BY i.ord
                """, binds)
            return try rows.map(Self.taskRef)
        }
    }

    /// Records that the walk of the job's roots has added every task.
    ///
    /// - Throws: ``StoreError`` ``StoreError/Code/unknownJob``.
    public func markWalkComplete(job: Int64) throws {
        var binds = PostgresBindings()
        binds.append(job)
        let changed = try withSession { try $0.execute("UPDATE jobs SET walk_complete = 1 WHERE id = $1", binds) }
        if changed == 0 { throw StoreError(.unknownJob, "no job \(job)") }
    }

    /// One page of a job's pending tasks, in id order.
    public func pendingTasks(job: Int64, limit: Int, afterTaskId: Int64) throws -> [TaskRef] {
        var binds = PostgresBindings()
        binds.append(job)
        binds.append(afterTaskId)
        binds.append(Int64(max(limit, 0)))
        return try withSession { session in
            try session.query(
                """
                SELECT \(Self.taskColumns) FROM tasks
                WHERE job_id = $1 AND state = 'pending' AND id > $2 ORDER BY id LIMIT $3
                """, binds
            ).map(Self.taskRef)
        }
    }

    /// One task's ledger entry, or `nil` when the ledger does not hold it.
    public func task(_ id: Int64) throws -> TaskRef? {
        var binds = PostgresBindings()
        binds.append(id)
        return try withSession { session in
            try session.query("SELECT \(Self.taskColumns) FROM tasks WHERE id = $1", binds).first.map(Self.taskRef)
        }
    }

    /// Counts one more attempt at a task, and one more crash when `crashed`.
    ///
    /// - Throws: ``StoreError`` ``StoreError/Code/unknownTask``.
    @discardableResult
    public func recordAttempt(task: Int64, crashed: Bool) throws -> TaskAttempts {
        var binds = PostgresBindings()
        binds.append(Int64(crashed ? 1 : 0))
        binds.append(task)
        return try withSession { session in
            let rows = try session.query(
                "UPDATE tasks SET attempts = attempts + 1, crashes = crashes + $1 WHERE id = $2 RETURNING attempts, crashes",
                binds)
            guard let row = rows.first?.makeRandomAccess() else { throw StoreError(.unknownTask, "no task \(task)") }
            return TaskAttempts(attempts: Int(try row.int(0) ?? 0), crashes: Int(try row.int(1) ?? 0))
        }
    }

    /// Sets a pending task aside as poison, with the reason.
    ///
    /// - Returns: `true` if the task was quarantined; `false` if it already had a final outcome.
    /// - Throws: ``StoreError`` ``StoreError/Code/unknownTask``.
    @discardableResult
    public func quarantine(task: Int64, message: String) throws -> Bool {
        var binds = PostgresBindings()
        binds.append(message)
        binds.append(task)
        return try transaction { session in
            let changed = try session.execute(
                """
                UPDATE tasks SET state = 'quarantined', status = 'quarantined', status_message = $1,
                    finished_at = \(PostgresSchema.nowSQL)
                WHERE id = $2 AND state = 'pending'
                """, binds)
            if changed > 0 { return true }
            var exists = PostgresBindings()
            exists.append(task)
            guard try !session.query("SELECT 1 FROM tasks WHERE id = $1", exists).isEmpty else {
                throw StoreError(.unknownTask, "no task \(task)")
            }
            return false
        }
    }

    /// A job's progress, or `nil` when the ledger does not hold it.
    public func jobStatus(job: Int64) throws -> JobStatus? {
        var binds = PostgresBindings()
        binds.append(job)
        return try withSession { session in
            try session.query("\(Self.jobSelect) WHERE id = $1", binds).first.map(Self.jobStatus)
        }
    }

    /// Every job, oldest first.
    public func allJobs() throws -> [JobStatus] {
        try withSession { session in
            try session.query("\(Self.jobSelect) ORDER BY id").map(Self.jobStatus)
        }
    }

    /// The jobs a restarted coordinator must resume: walk incomplete or tasks pending, oldest first.
    public func unfinishedJobs() throws -> [JobStatus] {
        try withSession { session in
            try session.query("\(Self.jobSelect) WHERE walk_complete = 0 OR n_pending > 0 ORDER BY id")
                .map(Self.jobStatus)
        }
    }

    // MARK: Rows

    static let taskColumns = "id, job_id, path, state, status, attempts, crashes"

    static let jobSelect = """
        SELECT id, name, roots, recursive, glob, created_at, walk_complete,
               n_total, n_pending, n_done, n_failed, n_quarantined
        FROM jobs
        """

    private static func jobStatus(_ row: PostgresRow) throws -> JobStatus {
        let row = row.makeRandomAccess()
        func int(_ index: Int) throws -> Int64 {
            guard let value = try row.int(index) else { throw StoreError(.corruptRow, "jobs column \(index) is NULL") }
            return value
        }
        func text(_ index: Int) throws -> String {
            guard let value = try row.text(index) else { throw StoreError(.corruptRow, "jobs column \(index) is NULL") }
            return value
        }
        return JobStatus(
            id: try int(0), name: try text(1), roots: try JSONText.decodeStrings(try text(2)),
            recursive: try int(3) != 0, glob: try row.text(4), createdAt: try text(5), walkComplete: try int(6) != 0,
            total: Int(try int(7)), pending: Int(try int(8)), done: Int(try int(9)), failed: Int(try int(10)),
            quarantined: Int(try int(11)))
    }

    private static func taskRef(_ row: PostgresRow) throws -> TaskRef {
        let row = row.makeRandomAccess()
        guard let id = try row.int(0), let job = try row.int(1), let path = try row.text(2) else {
            throw StoreError(.corruptRow, "a task row has NULL id, job or path")
        }
        let stateText = try row.text(3) ?? ""
        guard let state = TaskState(rawValue: stateText) else {
            throw StoreError(.corruptRow, "task \(id) has state \(stateText)")
        }
        return TaskRef(
            id: id, job: job, path: path, state: state, status: try row.text(4).flatMap(ReportStatus.init),
            attempts: Int(try row.int(5) ?? 0), crashes: Int(try row.int(6) ?? 0))
    }

    private func requireJob(_ job: Int64, _ session: PostgresSession) throws {
        var binds = PostgresBindings()
        binds.append(job)
        guard try !session.query("SELECT 1 FROM jobs WHERE id = $1", binds).isEmpty else {
            throw StoreError(.unknownJob, "no job \(job)")
        }
    }
}
