// The collector's write path: idempotent batched commits, and reading a report back.

import GRDB
import GongkaiCore

extension SummaryStore {
    /// Commits a batch of results in ONE transaction, idempotently.
    ///
    /// For each result:
    /// - the document is stored by its content hash, once: if the hash is already stored (a
    ///   re-delivered result, a duplicate file, a re-submitted corpus), nothing is inserted for
    ///   the document and the task is only linked to it;
    /// - the task is marked done with the result's status and linked to its document; a result
    ///   with status `quarantined` sets a pending task aside instead, and leaves a task that
    ///   already has a result as it is.
    ///
    /// Results without a document (`io_error`, `too_large`, `quarantined`, or no hash) are
    /// recorded on the task only: no document row has an empty hash.
    ///
    /// All or nothing: if the transaction fails, no result of the batch is committed, and the
    /// whole batch may be retried.
    ///
    /// - Returns: Which tasks stored a new document, which were duplicates, which were
    ///   recorded without a document, and which the ledger does not hold (skipped).
    /// - Throws: ``StoreError`` ``StoreError/Code/invalidHash`` (before writing anything) when a
    ///   hash is not 64 hexadecimal digits; `DatabaseError` from SQLite.
    @discardableResult
    public func commit(_ results: [(task: Int64, report: Report)]) throws -> CommitReceipt {
        if results.isEmpty { return CommitReceipt() }

        // Validate every hash before writing anything.
        let hashes = try ReportRow.documentHashes(results)

        return try writer.write { db in
            // One timestamp for the batch, in SQLite's format: cheaper than strftime per row.
            let now = try String.fetchOne(db, sql: "SELECT \(StoreSchema.nowSQL)") ?? ""
            let updateTask = BoundStatement(
                try db.cachedStatement(
                    sql: """
                        UPDATE tasks SET state = ?, status = ?, status_message = ?, sha256 = ?, finished_at = ?
                        WHERE id = ?
                        """),
                parameterCount: 6)
            let insertReport = BoundStatement(
                try db.cachedStatement(sql: StoreSchema.insertReportSQL), parameterCount: ReportRow.columnCount)
            let insertFinding = BoundStatement(
                try db.cachedStatement(
                    sql: """
                        INSERT INTO findings (sha256, seq, rule, severity, kind, cells, message, found, expected)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """),
                parameterCount: 9)

            // A quarantine never overrides a committed result.
            let quarantineTask = BoundStatement(
                try db.cachedStatement(
                    sql: """
                        UPDATE tasks SET state = 'quarantined', status = 'quarantined', status_message = ?,
                            finished_at = ?
                        WHERE id = ? AND state = 'pending'
                        """),
                parameterCount: 3)
            let taskExists = try db.cachedStatement(sql: "SELECT 1 FROM tasks WHERE id = ?")

            var receipt = CommitReceipt()
            for ((task, report), sha256) in zip(results, hashes) {
                if report.status == .quarantined {
                    try quarantineTask.bind { sink in
                        sink.text(0, report.statusMessage)
                        sink.text(1, now)
                        sink.int(2, task)
                    }
                    try quarantineTask.statement.execute()
                    let quarantined = db.changesCount > 0
                    if try quarantined || Bool.fetchOne(taskExists, arguments: [task]) != nil {
                        receipt.taskOnly.append(task)
                    } else {
                        receipt.unknownTasks.append(task)
                    }
                    continue
                }
                guard try Bool.fetchOne(taskExists, arguments: [task]) != nil else {
                    receipt.unknownTasks.append(task)
                    continue
                }
                // The document before the task's link to it: with its parent row already there, the
                // task's deferred foreign key is satisfied at once, and SQLite never has to look for
                // the children of a new document (there is no index on `tasks.sha256` since 0003).
                var storedDocument = false
                if let sha256 {
                    try insertReport.bind { sink in
                        ReportRow.encode(report, sha256: sha256, task: task, storedAt: now, into: &sink)
                    }
                    try insertReport.statement.execute()
                    storedDocument = db.changesCount > 0
                    if storedDocument {
                        for (seq, finding) in report.findings.enumerated() {
                            try insertFinding.bind { sink in
                                sink.text(0, sha256)
                                sink.int(1, Int64(seq))
                                sink.text(2, finding.rule.rawValue)
                                sink.text(3, finding.severity.rawValue)
                                sink.text(4, finding.kind.rawValue)
                                sink.text(5, ReportRow.cellsJSON(finding.cells))
                                sink.text(6, finding.message)
                                sink.real(7, finding.found)
                                sink.real(8, finding.expected)
                            }
                            try insertFinding.statement.execute()
                        }
                    }
                }
                try updateTask.bind { sink in
                    sink.text(0, "done")
                    sink.text(1, report.status.rawValue)
                    sink.text(2, report.statusMessage)
                    sink.text(3, sha256)
                    sink.text(4, now)
                    sink.int(5, task)
                }
                try updateTask.statement.execute()
                if sha256 == nil {
                    receipt.taskOnly.append(task)
                } else if storedDocument {
                    receipt.stored.append(task)
                } else {
                    receipt.duplicates.append(task)
                }
            }
            return receipt
        }
    }

    /// The full report stored under a content hash, rebuilt from its row and its findings, or
    /// `nil` when no document has that hash.
    ///
    /// Findings whose rule this version does not know (written by a newer version) are left out.
    public func report(sha256: String) throws -> Report? {
        let key = ReportRow.canonicalHash(sha256) ?? sha256
        return try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: StoreSchema.selectReportSQL, arguments: [key]) else {
                return nil
            }
            let findingRows = try Row.fetchAll(
                db, sql: "SELECT rule, cells, message, found, expected FROM findings WHERE sha256 = ? ORDER BY seq",
                arguments: [key])
            var findings: [Finding] = []
            for findingRow in findingRows {
                let ruleCode: String = findingRow[0]
                guard let rule = Rule(rawValue: ruleCode) else { continue }
                let cellsJSON: String = findingRow[1]
                findings.append(
                    Finding(
                        rule: rule, cells: try JSONText.decodeStrings(cellsJSON), message: findingRow[2],
                        found: findingRow[3], expected: findingRow[4]))
            }
            return try ReportRow.decode(row, findings: findings)
        }
    }
}
