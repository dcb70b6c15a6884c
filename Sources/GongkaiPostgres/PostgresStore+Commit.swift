// The collector's write path in PostgreSQL: a batch of results in one transaction, a few
// statements per batch (not one per result), idempotent by content hash.

import GongkaiCore
import GongkaiStore
import PostgresNIO

extension PostgresStore {
    /// Commits a batch of results in ONE transaction, idempotently: the same rules and the same
    /// receipt as ``SummaryStore/commit(_:)``.
    ///
    /// The batch costs a handful of round trips whatever its size: the tasks are updated by ONE
    /// `UPDATE … FROM unnest(…)`, the new documents inserted by ONE
    /// `INSERT … SELECT * FROM unnest(…) ON CONFLICT (sha256) DO NOTHING RETURNING sha256` with
    /// one array parameter per column (PostgreSQL takes at most 65,535 parameters per statement,
    /// and a document has about 260 values; arrays also spare the server parsing a statement the
    /// size of the batch), the findings by ONE insert from arrays too. Within the batch, the first result of a content hash stores it
    /// and any later one is a duplicate, as in SQLite's one-by-one order.
    ///
    /// - Throws: ``StoreError``: ``StoreError/Code/invalidHash`` before writing anything;
    ///   ``StoreError/Code/unavailable`` when the connection failed (nothing was committed: retry
    ///   the whole batch); ``StoreError/Code/database`` when the server refused the batch.
    @discardableResult
    public func commit(_ results: [(task: Int64, report: Report)]) throws -> CommitReceipt {
        if results.isEmpty { return CommitReceipt() }
        let hashes = try ReportRow.documentHashes(results)

        return try transaction { session in
            // One timestamp for the batch, in SQLite's format.
            let now = try session.query("SELECT \(PostgresSchema.nowSQL)").first?.makeRandomAccess().text(0) ?? ""

            // Quarantine outcomes (rare: the coordinator's own) first. A quarantine never
            // overrides a result, and a result overrides a quarantine, so the final state is the
            // one SQLite's in-order processing reaches.
            var quarantineKnown: Set<Int64> = []
            for (task, report) in results where report.status == .quarantined {
                if try quarantine(task: task, message: report.statusMessage, now: now, session) {
                    quarantineKnown.insert(task)
                }
            }

            // Every other result marks its task done; the update returns the tasks it found.
            let done = results.indices.filter { results[$0].report.status != .quarantined }
            var jobOfTask: [Int64: Int64] = [:]
            if !done.isEmpty {
                var ids = ColumnArray(.int8)
                var statuses = ColumnArray(.text)
                var messages = ColumnArray(.text)
                var shas = ColumnArray(.text)
                for index in done {
                    let (task, report) = results[index]
                    ids.append(task)
                    statuses.append(report.status.rawValue)
                    if let message = report.statusMessage { messages.append(message) } else { messages.appendNull() }
                    if let sha256 = hashes[index] { shas.append(sha256) } else { shas.appendNull() }
                }
                var binds = PostgresBindings(capacity: 5)
                binds.append(now)
                for column in [ids, statuses, messages, shas] { binds.append(column) }
                let updated = try session.query(
                    """
                    UPDATE tasks SET state = 'done', status = u.status, status_message = u.message,
                        sha256 = u.sha256, finished_at = $1
                    FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS u(id, status, message, sha256)
                    WHERE tasks.id = u.id
                    RETURNING tasks.id, tasks.job_id
                    """, binds)
                for row in updated {
                    let columns = row.makeRandomAccess()
                    if let id = try columns.int(0), let job = try columns.int(1) { jobOfTask[id] = job }
                }
            }

            // The first result of each new content hash stores the document.
            var firstOfHash: [String: Int] = [:]
            for index in done {
                guard jobOfTask[results[index].task] != nil, let sha256 = hashes[index] else { continue }
                if firstOfHash[sha256] == nil { firstOfHash[sha256] = index }
            }
            let candidates = done.filter { index in hashes[index].map { firstOfHash[$0] == index } ?? false }
            var stored: Set<String> = []
            if !candidates.isEmpty {
                var columns = PostgresSchema.reportInsertElements.map(ColumnArray.init)
                var sink = ValueRow(count: ReportRow.columnCount)
                for index in candidates {
                    let (task, report) = results[index]
                    ReportRow.encode(report, sha256: hashes[index] ?? "", task: task, storedAt: now, into: &sink)
                    sink.int(StoreSchema.Meta.firstJobId.rawValue, jobOfTask[task])
                    sink.append(to: &columns)
                }
                var binds = PostgresBindings(capacity: columns.count)
                for column in columns { binds.append(column) }
                let inserted = try session.query(Self.insertReportsSQL, binds)
                for row in inserted {
                    if let sha256 = try row.makeRandomAccess().text(0) { stored.insert(sha256) }
                }
            }

            // Findings go with new documents only.
            let findings = candidates.filter { stored.contains(hashes[$0] ?? "") }.flatMap { index in
                results[index].report.findings.enumerated().map { (sha256: hashes[index] ?? "", seq: $0, finding: $1) }
            }
            if !findings.isEmpty {
                var columns: [ColumnArray] = [.text, .int8, .text, .text, .text, .text, .text, .float8, .float8].map(ColumnArray.init)
                for (sha256, seq, finding) in findings {
                    columns[0].append(sha256)
                    columns[1].append(Int64(seq))
                    columns[2].append(finding.rule.rawValue)
                    columns[3].append(finding.severity.rawValue)
                    columns[4].append(finding.kind.rawValue)
                    columns[5].append(ReportRow.cellsJSON(finding.cells))
                    columns[6].append(finding.message)
                    for (column, value) in [(7, finding.found), (8, finding.expected)] {
                        if let value { columns[column].append(value) } else { columns[column].appendNull() }
                    }
                }
                var binds = PostgresBindings(capacity: columns.count)
                for column in columns { binds.append(column) }
                try session.execute(
                    """
                    INSERT INTO findings (sha256, seq, rule, severity, kind, cells, message, found, expected)
                    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                        $7::text[], $8::double precision[], $9::double precision[])
                    """, binds)
            }

            var receipt = CommitReceipt()
            for (index, (task, report)) in results.enumerated() {
                if report.status == .quarantined {
                    if quarantineKnown.contains(task) || jobOfTask[task] != nil {
                        receipt.taskOnly.append(task)
                    } else {
                        receipt.unknownTasks.append(task)
                    }
                } else if jobOfTask[task] == nil {
                    receipt.unknownTasks.append(task)
                } else if let sha256 = hashes[index] {
                    if firstOfHash[sha256] == index && stored.contains(sha256) {
                        receipt.stored.append(task)
                    } else {
                        receipt.duplicates.append(task)
                    }
                } else {
                    receipt.taskOnly.append(task)
                }
            }
            return receipt
        }
    }

    /// Sets a pending task aside with a quarantine outcome; `true` when the task exists.
    private func quarantine(task: Int64, message: String?, now: String, _ session: PostgresSession) throws -> Bool {
        var binds = PostgresBindings()
        binds.append(message)
        binds.append(now)
        binds.append(task)
        let changed = try session.execute(
            """
            UPDATE tasks SET state = 'quarantined', status = 'quarantined', status_message = $1, finished_at = $2
            WHERE id = $3 AND state = 'pending'
            """, binds)
        if changed > 0 { return true }
        var exists = PostgresBindings()
        exists.append(task)
        return try !session.query("SELECT 1 FROM tasks WHERE id = $1", exists).isEmpty
    }

    /// The full report stored under a content hash, or `nil`. Findings whose rule this version
    /// does not know are left out.
    public func report(sha256: String) throws -> Report? {
        var binds = PostgresBindings()
        binds.append(ReportRow.canonicalHash(sha256) ?? sha256)
        return try transaction(readOnly: true) { session in
            guard
                let row = try session.query(
                    "SELECT \(StoreSchema.reportInsertColumns.joined(separator: ",")) FROM reports WHERE sha256 = $1",
                    binds
                ).first
            else { return nil }
            var findings: [Finding] = []
            let findingRows = try session.query(
                "SELECT rule, cells, message, found, expected FROM findings WHERE sha256 = $1 ORDER BY seq", binds)
            for findingRow in findingRows {
                let columns = findingRow.makeRandomAccess()
                guard let rule = Rule(rawValue: try columns.text(0) ?? "") else { continue }
                findings.append(
                    Finding(
                        rule: rule, cells: try JSONText.decodeStrings(try columns.text(1) ?? "[]"),
                        message: try columns.text(2) ?? "", found: try columns.real(3), expected: try columns.real(4)))
            }
            return try ReportRow.decode(row.makeRandomAccess(), findings: findings)
        }
    }

    // MARK: Statements

    /// Every new document of a batch in one statement: one array parameter per column.
    private static let insertReportsSQL: String = {
        let arrays = PostgresSchema.reportInsertElements.enumerated().map { "$\($0 + 1)::\($1.sqlArray)" }
        return "INSERT INTO reports (\(StoreSchema.reportInsertColumns.joined(separator: ","))) "
            + "SELECT * FROM unnest(\(arrays.joined(separator: ","))) "
            + "ON CONFLICT (sha256) DO NOTHING RETURNING sha256"
    }()
}

/// The values of one document row, by column position, then appended to the statement's
/// parameters in column order (the encoder writes positions in any order, some twice).
private struct ValueRow: ReportSink {
    enum Value {
        case null
        case int(Int64)
        case real(Double)
        case text(String)
    }

    var values: [Value]

    init(count: Int) { values = Array(repeating: .null, count: count) }

    mutating func null(_ index: Int) { values[index] = .null }
    mutating func int(_ index: Int, _ value: Int64) { values[index] = .int(value) }
    mutating func real(_ index: Int, _ value: Double) { values[index] = .real(value) }
    mutating func text(_ index: Int, _ value: String) { values[index] = .text(value) }

    /// Appends each value to its column's array.
    func append(to columns: inout [ColumnArray]) {
        for (index, value) in values.enumerated() {
            switch value {
            case .null: columns[index].appendNull()
            case .int(let v): columns[index].append(v)
            case .real(let v): columns[index].append(v)
            case .text(let v): columns[index].append(v)
            }
        }
    }
}
