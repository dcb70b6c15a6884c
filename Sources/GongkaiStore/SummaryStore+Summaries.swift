// Corpus summaries, findings by rule, and the checks across reports.

import GRDB
import GongkaiCore

extension SummaryStore {
    /// Totals over the parsed reports (status `ok` or `incomplete`), grouped by year, region
    /// or normalised agency name, in key order (unknown key first).
    ///
    /// Each document counts once, however many tasks or jobs it came through. The same numbers
    /// are in the views `summary_by_year`, `summary_by_region` and `summary_by_agency`.
    public func summary(by dimension: SummaryDimension) throws -> [SummaryRow] {
        let columns = StoreSchema.summaryColumns.joined(separator: ", ")
        let sql = "SELECT CAST(\(dimension.rawValue) AS TEXT), \(columns) FROM summary_by_\(dimension.rawValue)"
        return try writer.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                SummaryRow(
                    key: row[0], reports: row[1], reportsWithErrors: row[2], applicationsReceived: row[3],
                    grantedShare: row[4], reviews: row[5], lawsuits: row[6], correctedShareOfReviews: row[7],
                    correctedShareOfLawsuits: row[8])
            }
        }
    }

    /// How many findings each rule produced over all stored documents, most frequent first.
    public func findingsByRule() throws -> [(rule: String, severity: Severity, count: Int)] {
        try writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT rule, severity, COUNT(*) AS n FROM findings
                    GROUP BY rule, severity ORDER BY n DESC, rule
                    """)
            return rows.map { row in
                let severity: String = row[1]
                return (rule: row[0], severity: Severity(rawValue: severity) ?? .info, count: row[2])
            }
        }
    }

    /// The checks across reports (DESIGN.md) that did not hold, computed in SQL over the whole
    /// store (the view `cross_report_findings`):
    ///
    /// - ``Rule/crossCarryOver``: for the same agency (normalised name) in consecutive years,
    ///   this year's `table3.carried_over.total` against last year's `table3.carried_forward.total`;
    /// - ``Rule/crossInForce``: this year's table 2 `in_force` against last year's `in_force`
    ///   plus this year's `issued` minus `repealed`, for `regulations` and `normative_documents`.
    ///
    /// Only parsed reports with every figure present are compared; blanks are findings of their
    /// own. When an agency has several reports for one year, every pair is compared.
    public func crossReportFindings() throws -> [CrossReportFinding] {
        try writer.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT rule, cell, agency, year, sha256, previous_sha256, found, expected
                    FROM cross_report_findings ORDER BY agency, year, rule, cell, sha256, previous_sha256
                    """)
            return rows.compactMap { row in
                let code: String = row[0]
                guard let rule = Rule(rawValue: code) else { return nil }
                return CrossReportFinding(
                    rule: rule, cell: row[1], agency: row[2], year: row[3], sha256: row[4],
                    previousSha256: row[5], found: row[6], expected: row[7])
            }
        }
    }
}
