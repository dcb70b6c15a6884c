// The store's schema: frozen code lists, column lists, and the migrations that create them.
//
// Migrations are append-only and never edited once merged (GRDB `Migrations.md`: "a good
// migration is a migration that is never modified once it has shipped"). They must not depend
// on application types, so the canonical codes they are generated from are frozen here as
// literals; `StoreSchemaTests` checks that they match `GongkaiCore`'s codes. A code added to
// the model later needs a new migration (new columns), not an edit of these lists.

import GRDB

package enum StoreSchema {
    // MARK: Frozen code lists (schema v1 of the report JSON)

    /// Table 3 row codes, in table order.
    package static let table3Rows = [
        "new", "carried_over", "granted", "partially_granted",
        "denied_state_secret", "denied_prohibited_by_law", "denied_three_safety_one_stability",
        "denied_third_party_rights", "denied_internal_affairs", "denied_process_info",
        "denied_enforcement_files", "denied_query_matters", "unable_not_held",
        "unable_needs_creation", "unable_unclear_after_correction",
        "rejected_petition_complaint", "rejected_duplicate", "rejected_publication",
        "rejected_repeated_mass", "rejected_confirm_reissue", "other_no_correction",
        "other_unpaid_fee", "other", "results_total", "carried_forward",
    ]

    /// Table 3 column codes.
    package static let table3Columns = [
        "natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total",
    ]

    /// Table 4 group codes.
    package static let table4Groups = ["review", "litigation_direct", "litigation_after_review"]

    /// Table 4 column codes.
    package static let table4Columns = ["upheld", "corrected", "other", "pending", "total"]

    /// One value slot of table 2: the union of the 2021 and 2019 templates' fields.
    package struct Table2Slot: Sendable, Hashable {
        package var row: String
        package var field: String
        package var isAmount: Bool { field == "amount_10k_yuan" }
        package var column: String { "t2_\(row)_\(field)" }
    }

    /// The union of the 2021 and 2019 table 2 fields, 2021 fields first within each row.
    /// Bit `i` of `reports.t2_present` says whether slot `i` was in the table.
    package static let table2Slots: [Table2Slot] = [
        ("regulations", ["issued", "repealed", "in_force", "new_made", "new_published", "total_published"]),
        ("normative_documents", ["issued", "repealed", "in_force", "new_made", "new_published", "total_published"]),
        ("licensing", ["decisions", "prev_count", "change"]),
        ("other_services", ["prev_count", "change", "decisions"]),
        ("penalty", ["decisions", "prev_count", "change"]),
        ("enforcement", ["decisions", "prev_count", "change"]),
        ("fees", ["amount_10k_yuan", "prev_count", "change"]),
        ("procurement", ["projects", "amount_10k_yuan"]),
    ].flatMap { row, fields in fields.map { Table2Slot(row: row, field: $0) } }

    /// Statuses whose document was parsed (the reports that summaries count).
    package static let parsedStatusesSQL = "('ok', 'incomplete')"

    // MARK: Columns of `reports`

    /// The metadata columns of `reports`, in insert order (`sha256` first). The raw value is the
    /// position in the insert and select column lists.
    package enum Meta: Int, CaseIterable {
        case sha256, source, byteCount, status, statusMessage, format, encoding, layout
        case year, agency, agencyKey, region, published, sections
        case table2Template, table3Template, t3Present, hasTable4, t2Present
        case nProactiveItems, nApplicationsReceived, nReviews, nLawsuits, nPenalties, nLicences
        case nProcessingFees, nAdminFees, nApplicationsMatched
        case errorCount, warningCount, firstJobId, firstTaskId, storedAt

        package var column: String {
            switch self {
            case .sha256: return "sha256"
            case .source: return "source"
            case .byteCount: return "byte_count"
            case .status: return "status"
            case .statusMessage: return "status_message"
            case .format: return "format"
            case .encoding: return "encoding"
            case .layout: return "layout"
            case .year: return "year"
            case .agency: return "agency"
            case .agencyKey: return "agency_key"
            case .region: return "region"
            case .published: return "published"
            case .sections: return "sections"
            case .table2Template: return "table2_template"
            case .table3Template: return "table3_template"
            case .t3Present: return "t3_present"
            case .hasTable4: return "has_table4"
            case .t2Present: return "t2_present"
            case .nProactiveItems: return "n_proactive_items"
            case .nApplicationsReceived: return "n_applications_received"
            case .nReviews: return "n_reviews"
            case .nLawsuits: return "n_lawsuits"
            case .nPenalties: return "n_penalties"
            case .nLicences: return "n_licences"
            case .nProcessingFees: return "n_processing_fees"
            case .nAdminFees: return "n_admin_fees"
            case .nApplicationsMatched: return "n_applications_matched"
            case .errorCount: return "error_count"
            case .warningCount: return "warning_count"
            case .firstJobId: return "first_job_id"
            case .firstTaskId: return "first_task_id"
            case .storedAt: return "stored_at"
            }
        }
    }

    package static let metadataColumns: [String] = Meta.allCases.map(\.column)

    package static func table3Column(row: String, column: String) -> String { "t3_\(row)_\(column)" }
    package static func table4Column(group: String, column: String) -> String { "t4_\(group)_\(column)" }

    /// The 175 table 3 cell columns, row-major.
    package static let table3CellColumns: [String] = table3Rows.flatMap { row in
        table3Columns.map { table3Column(row: row, column: $0) }
    }

    /// The 15 table 4 cell columns, group-major.
    package static let table4CellColumns: [String] = table4Groups.flatMap { group in
        table4Columns.map { table4Column(group: group, column: $0) }
    }

    /// The table 2 columns: one per slot, plus `_written` and `_unit` for amounts.
    package static let table2Columns: [String] = table2Slots.flatMap { slot in
        slot.isAmount ? [slot.column, slot.column + "_written", slot.column + "_unit"] : [slot.column]
    }

    /// Every column the commit path writes, in the order it binds them.
    package static let reportInsertColumns: [String] = metadataColumns + table3CellColumns + table4CellColumns + table2Columns

    /// The insert of one document row. `first_job_id` is looked up from the task id bound to
    /// its parameter, so each column still has exactly one parameter.
    package static let insertReportSQL: String = {
        let columns = reportInsertColumns
        let placeholders = columns.map {
            $0 == Meta.firstJobId.column ? "(SELECT job_id FROM tasks WHERE id = ?)" : "?"
        }
        .joined(separator: ",")
        return "INSERT INTO reports (\(columns.joined(separator: ","))) VALUES (\(placeholders)) "
            + "ON CONFLICT (sha256) DO NOTHING"
    }()

    package static let selectReportSQL: String =
        "SELECT \(reportInsertColumns.joined(separator: ",")) FROM reports WHERE sha256 = ?"

    /// A job's tasks in id order with their documents' key figures (`ResultRow`'s fields, in
    /// order), for both backends; `job` is the parameter placeholder (`?`, `$1`).
    package static func resultsSQL(job: String) -> String {
        """
        SELECT t.id, t.path, t.state, t.status, COALESCE(t.status_message, r.status_message), t.sha256,
            CASE WHEN t.sha256 IS NULL THEN NULL WHEN r.first_task_id IS NOT DISTINCT FROM t.id THEN 0 ELSE 1 END,
            r.agency, r.region, r.year, r.published, r.error_count, r.warning_count,
            r.t3_new_total, r.t3_carried_over_total, r.t3_granted_total, r.t3_results_total_total,
            r.t3_carried_forward_total, r.t4_review_total,
            CASE WHEN r.t4_litigation_direct_total IS NULL AND r.t4_litigation_after_review_total IS NULL THEN NULL
                 ELSE COALESCE(r.t4_litigation_direct_total, 0) + COALESCE(r.t4_litigation_after_review_total, 0) END
        FROM tasks t LEFT JOIN reports r ON r.sha256 = t.sha256
        WHERE t.job_id = \(job) ORDER BY t.id
        """
    }

    // MARK: Migrations

    /// The schema version after all migrations below: stored in `meta.schema_version` and
    /// `PRAGMA user_version`. Increment it with each new migration.
    package static let version = 3

    package static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        // The ledger and the documents reference each other (a task links to its document, a
        // document to the task that first stored it), so they are created together.
        migrator.registerMigration("0001-tables") { db in
            try db.execute(sql: ledgerSQL)
            try db.execute(sql: reportsSQL)
            try setVersion(1, db)
        }
        migrator.registerMigration("0002-views") { db in
            try db.execute(sql: viewsSQL)
            try validateViews(db)
            try setVersion(2, db)
        }
        migrator.registerMigration("0003-drop-tasks-sha256-index") { db in
            try db.execute(sql: dropTasksHashIndexSQL)
            try setVersion(3, db)
        }
        return migrator
    }

    /// SQLite resolves a view's columns only when it is used: prepare every view once so a
    /// misspelt column fails the migration, not a user's query.
    private static func validateViews(_ db: Database) throws {
        let views = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'view'")
        for view in views {
            _ = try db.makeStatement(sql: "SELECT * FROM \(view) LIMIT 0")
        }
    }

    private static func setVersion(_ version: Int, _ db: Database) throws {
        try db.execute(
            sql: "INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                + "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            arguments: [String(version)])
        try db.execute(sql: "PRAGMA user_version = \(version)")
    }

    /// A value that looks like a code: lower-case letters, digits and underscores.
    private static func codeShaped(_ column: String) -> String {
        "\(column) <> '' AND \(column) NOT GLOB '*[^a-z0-9_]*'"
    }

    /// `(column = 'a' OR column = 'b' …)`. Not `column IN (…)`: in a CHECK or a trigger, SQLite
    /// 3.40 builds an ephemeral index for an IN list on every statement execution, which costs
    /// more than the rest of a task update.
    private static func oneOf(_ column: String, _ values: [String]) -> String {
        "(" + values.map { "\(column) = '\($0)'" }.joined(separator: " OR ") + ")"
    }

    /// Whether a task status is one whose document was parsed.
    private static func parsed(_ column: String) -> String { oneOf(column, ["ok", "incomplete"]) }

    package static let nowSQL = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"

    /// 0001, first half: the coordinator's durable ledger.
    ///
    /// A task is `pending`, `done` (a result was committed: `status` says which) or
    /// `quarantined`. Leases live in the coordinator's memory only. The per-job counters are
    /// kept by triggers, so `jobStatus` is one row read however many tasks a job has.
    package static let ledgerSQL = """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY NOT NULL,
            value TEXT NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE jobs (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            roots TEXT NOT NULL CHECK (json_valid(roots) AND json_type(roots) = 'array'),
            recursive INTEGER NOT NULL CHECK (recursive = 0 OR recursive = 1),
            glob TEXT,
            created_at TEXT NOT NULL DEFAULT (\(nowSQL)),
            walk_complete INTEGER NOT NULL DEFAULT 0 CHECK (walk_complete = 0 OR walk_complete = 1),
            n_total INTEGER NOT NULL DEFAULT 0,
            n_pending INTEGER NOT NULL DEFAULT 0 CHECK (n_pending >= 0),
            n_done INTEGER NOT NULL DEFAULT 0 CHECK (n_done >= 0),
            n_failed INTEGER NOT NULL DEFAULT 0 CHECK (n_failed >= 0),
            n_quarantined INTEGER NOT NULL DEFAULT 0 CHECK (n_quarantined >= 0),
            CHECK (n_total = n_pending + n_done + n_failed + n_quarantined)
        );

        CREATE TABLE tasks (
            id INTEGER PRIMARY KEY,
            job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
            path TEXT NOT NULL CHECK (path <> ''),
            state TEXT NOT NULL DEFAULT 'pending' CHECK (\(oneOf("state", ["pending", "done", "quarantined"]))),
            status TEXT CHECK (status IS NULL OR (\(codeShaped("status")))),
            status_message TEXT,
            sha256 TEXT REFERENCES reports(sha256) DEFERRABLE INITIALLY DEFERRED,
            attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            crashes INTEGER NOT NULL DEFAULT 0 CHECK (crashes >= 0 AND crashes <= attempts),
            finished_at TEXT,
            UNIQUE (job_id, path),
            CHECK ((state = 'pending') = (status IS NULL)),
            CHECK ((state = 'quarantined') = (status IS 'quarantined')),
            CHECK (state = 'done' OR sha256 IS NULL)
        );
        CREATE INDEX tasks_pending ON tasks (job_id, id) WHERE state = 'pending';
        CREATE INDEX tasks_sha256 ON tasks (sha256) WHERE sha256 IS NOT NULL;

        CREATE TRIGGER tasks_count_insert AFTER INSERT ON tasks BEGIN
            UPDATE jobs SET
                n_total = n_total + 1,
                n_pending = n_pending + (new.state = 'pending'),
                n_done = n_done + (new.state = 'done' AND \(parsed("new.status"))),
                n_failed = n_failed + (new.state = 'done' AND NOT \(parsed("new.status"))),
                n_quarantined = n_quarantined + (new.state = 'quarantined')
            WHERE id = new.job_id;
        END;

        CREATE TRIGGER tasks_count_update AFTER UPDATE OF state, status ON tasks
        WHEN old.state IS NOT new.state OR old.status IS NOT new.status BEGIN
            UPDATE jobs SET
                n_pending = n_pending + (new.state = 'pending') - (old.state = 'pending'),
                n_done = n_done + (new.state = 'done' AND \(parsed("new.status")))
                    - (old.state = 'done' AND \(parsed("old.status"))),
                n_failed = n_failed + (new.state = 'done' AND NOT \(parsed("new.status")))
                    - (old.state = 'done' AND NOT \(parsed("old.status"))),
                n_quarantined = n_quarantined + (new.state = 'quarantined') - (old.state = 'quarantined')
            WHERE id = new.job_id;
        END;

        CREATE TRIGGER tasks_count_delete AFTER DELETE ON tasks BEGIN
            UPDATE jobs SET
                n_total = n_total - 1,
                n_pending = n_pending - (old.state = 'pending'),
                n_done = n_done - (old.state = 'done' AND \(parsed("old.status"))),
                n_failed = n_failed - (old.state = 'done' AND NOT \(parsed("old.status"))),
                n_quarantined = n_quarantined - (old.state = 'quarantined')
            WHERE id = old.job_id;
        END;
        """

    /// 0001, second half: one wide row per document, keyed by content hash, and its findings.
    package static let reportsSQL: String = {
        var columns: [String] = [
            """
            sha256 TEXT PRIMARY KEY NOT NULL
                CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*')
            """,
            "source TEXT NOT NULL",
            "byte_count INTEGER NOT NULL CHECK (byte_count >= 0)",
            // Outcomes of the run, not of the content, never get a document row.
            """
            status TEXT NOT NULL
                CHECK (\(codeShaped("status")) AND NOT \(oneOf("status", ["quarantined", "io_error", "too_large"])))
            """,
            "status_message TEXT",
            "format TEXT NOT NULL",
            "encoding TEXT",
            "layout TEXT NOT NULL CHECK (\(codeShaped("layout")))",
            "year INTEGER",
            "agency TEXT",
            "agency_key TEXT",
            "region TEXT",
            "published TEXT",
            "sections TEXT NOT NULL",
            "table2_template TEXT CHECK (table2_template IS NULL OR table2_template GLOB '[0-9][0-9][0-9][0-9]')",
            "table3_template TEXT CHECK (table3_template IS NULL OR table3_template GLOB '[0-9][0-9][0-9][0-9]')",
            "t3_present INTEGER NOT NULL CHECK (t3_present >= 0 AND (table3_template IS NOT NULL OR t3_present = 0))",
            "has_table4 INTEGER NOT NULL CHECK (has_table4 = 0 OR has_table4 = 1)",
            "t2_present INTEGER NOT NULL CHECK (t2_present >= 0 AND (table2_template IS NOT NULL OR t2_present = 0))",
            "n_proactive_items INTEGER",
            "n_applications_received INTEGER",
            "n_reviews INTEGER",
            "n_lawsuits INTEGER",
            "n_penalties INTEGER",
            "n_licences INTEGER",
            "n_processing_fees REAL",
            "n_admin_fees REAL",
            "n_applications_matched TEXT",
            "error_count INTEGER NOT NULL CHECK (error_count >= 0)",
            "warning_count INTEGER NOT NULL CHECK (warning_count >= 0)",
            "first_job_id INTEGER REFERENCES jobs(id) ON DELETE SET NULL",
            "first_task_id INTEGER REFERENCES tasks(id) ON DELETE SET NULL",
            "stored_at TEXT NOT NULL DEFAULT (\(nowSQL))",
        ]
        columns += table3CellColumns.map { "\($0) INTEGER" }
        columns += table4CellColumns.map { "\($0) INTEGER" }
        for slot in table2Slots {
            if slot.isAmount {
                columns += ["\(slot.column) REAL", "\(slot.column)_written TEXT", "\(slot.column)_unit TEXT"]
            } else {
                columns.append("\(slot.column) INTEGER")
            }
        }
        return """
            CREATE TABLE reports (
                \(columns.joined(separator: ",\n    "))
            );
            CREATE INDEX reports_agency_year ON reports (agency_key, year) WHERE agency_key IS NOT NULL;

            CREATE TABLE findings (
                sha256 TEXT NOT NULL REFERENCES reports(sha256) ON DELETE CASCADE,
                seq INTEGER NOT NULL CHECK (seq >= 0),
                rule TEXT NOT NULL CHECK (rule <> ''),
                severity TEXT NOT NULL CHECK (\(oneOf("severity", ["error", "warning", "info"]))),
                kind TEXT NOT NULL CHECK (\(oneOf("kind", ["document", "extraction"]))),
                cells TEXT NOT NULL CHECK (json_valid(cells) AND json_type(cells) = 'array'),
                message TEXT NOT NULL,
                found REAL,
                expected REAL,
                PRIMARY KEY (sha256, seq)
            ) WITHOUT ROWID;
            CREATE INDEX findings_rule ON findings (rule);
            """
    }()

    /// 0003: no index on `tasks.sha256`. Nothing looks tasks up by document (results join the
    /// other way, from task to document), and documents are never deleted, so the index only
    /// cost its upkeep: one random page of a 64-digit-key index per committed task, about a
    /// third of the collector's writes at 100,000 reports. The commit inserts a document
    /// before it links a task to it, so the deferred foreign key never makes SQLite search
    /// the children of a new document (see `commit(_:)`).
    package static let dropTasksHashIndexSQL = "DROP INDEX tasks_sha256"

    // MARK: Views

    /// 0002: per-cell views over the wide rows, corpus summaries, cross-report checks.
    package static let viewsSQL: String = {
        var sql: [String] = []

        // table3_cells: one row per present table 3 row.
        let table3Selects = table3Rows.enumerated().map { index, row in
            let cells = table3Columns.map { "\(table3Column(row: row, column: $0)) AS \($0)" }
            return "SELECT sha256, '\(row)' AS row, \(cells.joined(separator: ", ")) FROM reports "
                + "WHERE (t3_present >> \(index)) & 1"
        }
        sql.append("CREATE VIEW table3_cells AS\n" + table3Selects.joined(separator: "\nUNION ALL\n") + ";")

        // table4_cells: three rows per report that has table 4.
        let table4Selects = table4Groups.map { group in
            let cells = table4Columns.map { "\(table4Column(group: group, column: $0)) AS \($0)" }
            return
                "SELECT sha256, '\(group)' AS grp, \(cells.joined(separator: ", ")) FROM reports WHERE has_table4 = 1"
        }
        sql.append("CREATE VIEW table4_cells AS\n" + table4Selects.joined(separator: "\nUNION ALL\n") + ";")

        // table2_cells: one row per present field.
        let table2Selects = table2Slots.enumerated().map { index, slot in
            let written = slot.isAmount ? "\(slot.column)_written" : "NULL"
            let unit = slot.isAmount ? "\(slot.column)_unit" : "NULL"
            return "SELECT sha256, '\(slot.row)' AS row, '\(slot.field)' AS field, \(slot.column) AS value, "
                + "\(written) AS written, \(unit) AS unit FROM reports WHERE (t2_present >> \(index)) & 1"
        }
        sql.append("CREATE VIEW table2_cells AS\n" + table2Selects.joined(separator: "\nUNION ALL\n") + ";")

        for dimension in ["year", "region", "agency"] {
            sql.append(summaryViewSQL(dimension: dimension))
        }
        sql.append(crossReportViewSQL)
        return sql.joined(separator: "\n\n")
    }()

    /// `num / den` summed over the reports where both are present; NULL when nothing is.
    private static func share(_ pairs: [(num: String, den: String)]) -> String {
        let both = { (pair: (num: String, den: String)) in "\(pair.num) IS NOT NULL AND \(pair.den) IS NOT NULL" }
        let num = pairs.map { "TOTAL(CASE WHEN \(both($0)) THEN \($0.num) END)" }.joined(separator: " + ")
        let den = pairs.map { "TOTAL(CASE WHEN \(both($0)) THEN \($0.den) END)" }.joined(separator: " + ")
        return "(\(num)) / NULLIF(\(den), 0)"
    }

    /// The columns every summary view has after its key column, in `SummaryRow` order.
    package static let summaryColumns = [
        "reports", "reports_with_errors", "applications_received", "granted_share", "reviews", "lawsuits",
        "corrected_share_reviews", "corrected_share_lawsuits",
    ]

    private static func summaryViewSQL(dimension: String) -> String {
        let key = dimension == "agency" ? "agency_key" : dimension
        return """
            CREATE VIEW summary_by_\(dimension) AS
            SELECT \(key) AS \(dimension),
                COUNT(*) AS reports,
                SUM(error_count > 0) AS reports_with_errors,
                COALESCE(SUM(t3_new_total), 0) AS applications_received,
                \(share([("t3_granted_total", "t3_results_total_total")])) AS granted_share,
                COALESCE(SUM(t4_review_total), 0) AS reviews,
                COALESCE(SUM(t4_litigation_direct_total), 0)
                    + COALESCE(SUM(t4_litigation_after_review_total), 0) AS lawsuits,
                \(share([("t4_review_corrected", "t4_review_total")])) AS corrected_share_reviews,
                \(share([
                    ("t4_litigation_direct_corrected", "t4_litigation_direct_total"),
                    ("t4_litigation_after_review_corrected", "t4_litigation_after_review_total"),
                ])) AS corrected_share_lawsuits
            FROM reports
            WHERE status IN \(parsedStatusesSQL)
            GROUP BY \(key)
            ORDER BY \(key);
            """
    }

    /// Same agency (normalised name), consecutive years, parsed reports only.
    private static let crossReportViewSQL: String = {
        let pair = """
            FROM reports cur JOIN reports prev
              ON prev.agency_key = cur.agency_key AND prev.year = cur.year - 1
            WHERE cur.agency_key IS NOT NULL AND cur.agency_key <> '' AND cur.year IS NOT NULL
              AND cur.status IN \(parsedStatusesSQL) AND prev.status IN \(parsedStatusesSQL)
            """
        var selects = [
            """
            SELECT 'cross.carry_over' AS rule, 'table3.carried_over.total' AS cell,
                cur.agency_key AS agency, cur.year AS year, cur.sha256 AS sha256, prev.sha256 AS previous_sha256,
                cur.t3_carried_over_total AS found, prev.t3_carried_forward_total AS expected
            \(pair)
              AND cur.t3_carried_over_total IS NOT NULL AND prev.t3_carried_forward_total IS NOT NULL
              AND cur.t3_carried_over_total <> prev.t3_carried_forward_total
            """
        ]
        for row in ["regulations", "normative_documents"] {
            let inForce = "t2_\(row)_in_force", issued = "t2_\(row)_issued", repealed = "t2_\(row)_repealed"
            selects.append(
                """
                SELECT 'cross.in_force', 'table2.\(row).in_force',
                    cur.agency_key, cur.year, cur.sha256, prev.sha256,
                    cur.\(inForce), prev.\(inForce) + cur.\(issued) - cur.\(repealed)
                \(pair)
                  AND cur.\(inForce) IS NOT NULL AND prev.\(inForce) IS NOT NULL
                  AND cur.\(issued) IS NOT NULL AND cur.\(repealed) IS NOT NULL
                  AND cur.\(inForce) <> prev.\(inForce) + cur.\(issued) - cur.\(repealed)
                """)
        }
        return "CREATE VIEW cross_report_findings AS\n" + selects.joined(separator: "\nUNION ALL\n") + ";"
    }()
}
