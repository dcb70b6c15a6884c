// Corpus summaries, findings by rule, checks across reports, and a job's results, in PostgreSQL.
// Text orders as SQLite's (byte order: `COLLATE "C"`; NULL first), so both stores list the same
// rows in the same order.

import GongkaiCore
import GongkaiStore
import PostgresNIO

extension PostgresStore {
    /// Totals over the parsed reports, grouped by year, region or normalised agency name, in key
    /// order (unknown key first): the same rows and figures as ``SummaryStore/summary(by:)``.
    public func summary(by dimension: SummaryDimension) throws -> [SummaryRow] {
        let columns = StoreSchema.summaryColumns.joined(separator: ", ")
        let key = dimension.rawValue
        // The view's key column, as text; ordered by the column itself (a year as a number).
        let collate = dimension == .year ? "" : #" COLLATE "C""#
        let sql = "SELECT v.\(key)::text AS key, \(columns) FROM summary_by_\(key) v ORDER BY v.\(key)\(collate) NULLS FIRST"
        return try withSession { session in
            try session.query(sql).map { row in
                let row = row.makeRandomAccess()
                return SummaryRow(
                    key: try row.text(0), reports: Int(try row.int(1) ?? 0), reportsWithErrors: Int(try row.int(2) ?? 0),
                    applicationsReceived: try row.int(3) ?? 0, grantedShare: try row.real(4), reviews: try row.int(5) ?? 0,
                    lawsuits: try row.int(6) ?? 0, correctedShareOfReviews: try row.real(7),
                    correctedShareOfLawsuits: try row.real(8))
            }
        }
    }

    /// How many findings each rule produced over all stored documents, most frequent first.
    public func findingsByRule() throws -> [(rule: String, severity: Severity, count: Int)] {
        try withSession { session in
            try session.query(
                """
                SELECT rule, severity, COUNT(*) AS n FROM findings
                GROUP BY rule, severity ORDER BY n DESC, rule COLLATE "C"
                """
            ).map { row in
                let row = row.makeRandomAccess()
                return (
                    rule: try row.text(0) ?? "", severity: Severity(rawValue: try row.text(1) ?? "") ?? .info,
                    count: Int(try row.int(2) ?? 0)
                )
            }
        }
    }

    /// The checks across reports that did not hold (the view `cross_report_findings`); see
    /// ``SummaryStore/crossReportFindings()``.
    public func crossReportFindings() throws -> [CrossReportFinding] {
        try withSession { session in
            try session.query(
                """
                SELECT rule, cell, agency, year, sha256, previous_sha256, found, expected
                FROM cross_report_findings
                ORDER BY agency COLLATE "C", year, rule COLLATE "C", cell COLLATE "C", sha256, previous_sha256
                """
            ).compactMap { row in
                let row = row.makeRandomAccess()
                guard let rule = Rule(rawValue: try row.text(0) ?? ""), let year = try row.int(3) else { return nil }
                return CrossReportFinding(
                    rule: rule, cell: try row.text(1) ?? "", agency: try row.text(2) ?? "", year: Int(year),
                    sha256: try row.text(4) ?? "", previousSha256: try row.text(5) ?? "", found: try row.int(6) ?? 0,
                    expected: try row.int(7) ?? 0)
            }
        }
    }

    /// Streams a job's tasks with their documents' key figures, in task order, from one
    /// snapshot (a read-only repeatable-read transaction), fetching 1,000 rows at a time through
    /// a cursor: memory stays flat whatever the job's size.
    public func results(job: Int64, _ body: (ResultRow) throws -> Void) throws {
        var binds = PostgresBindings()
        binds.append(job)
        try transaction(readOnly: true) { session in
            try session.execute("DECLARE gongkai_results NO SCROLL CURSOR FOR \(StoreSchema.resultsSQL(job: "$1"))", binds)
            while true {
                let rows = try session.query("FETCH FORWARD 1000 FROM gongkai_results")
                for row in rows { try body(try Self.resultRow(row)) }
                if rows.count < 1000 { break }
            }
            try session.execute("CLOSE gongkai_results")
        }
    }

    private static func resultRow(_ row: PostgresRow) throws -> ResultRow {
        let row = row.makeRandomAccess()
        guard let task = try row.int(0), let path = try row.text(1) else {
            throw StoreError(.corruptRow, "a task row has NULL id or path")
        }
        let stateText = try row.text(2) ?? ""
        guard let state = TaskState(rawValue: stateText) else {
            throw StoreError(.corruptRow, "task \(task) has state \(stateText)")
        }
        return ResultRow(
            task: task, path: path, state: state, status: try row.text(3), statusMessage: try row.text(4),
            sha256: try row.text(5), duplicate: try row.int(6).map { $0 != 0 }, agency: try row.text(7),
            region: try row.text(8), year: try row.int(9).map { Int($0) }, published: try row.text(10),
            errorCount: try row.int(11).map { Int($0) }, warningCount: try row.int(12).map { Int($0) },
            applicationsNew: try row.int(13), carriedOver: try row.int(14), granted: try row.int(15),
            resultsTotal: try row.int(16), carriedForward: try row.int(17), reviews: try row.int(18),
            lawsuits: try row.int(19))
    }
}
