import Foundation
import GongkaiCore
import XCTest

@testable import GongkaiStore

class StoreSchemaTests: StoreTestCase {
    func testMigrationsCreateTheSchemaOnAnEmptyDatabase() throws {
        // Given an empty database
        // When the store opens it
        let store = try makeStore()

        // Then every migration ran and the tables are empty
        XCTAssertEqual(try store.schemaVersion(), SummaryStore.currentSchemaVersion)
        let counts = try store.counts()
        XCTAssertEqual([counts.documents, counts.findings, counts.tasks, counts.jobs], [0, 0, 0, 0])
        XCTAssertEqual(
            try textRows(store, "SELECT value FROM meta WHERE key = 'schema_version'").first?[0],
            String(SummaryStore.currentSchemaVersion))
    }

    func testEveryReportStatusAndLayoutPassesTheChecks() throws {
        // The CHECK constraints accept code-shaped values; every status the model has must pass.
        let store = try makeStore()
        let job = try store.createJob(name: "statuses", roots: [], recursive: false)
        let statuses = ReportStatus.allCases
        let tasks = try store.addTasks(job: job, paths: statuses.map { "/s/\($0.rawValue)" })
        let batch = zip(tasks, statuses).enumerated().map { i, pair in
            (task: pair.0.id, report: Report(source: pair.0.path, sha256: StoreFixtures.sha(100 + i), status: pair.1))
        }
        let receipt = try store.commit(batch)
        XCTAssertEqual(receipt.committed, statuses.count)
        XCTAssertEqual(
            Set(receipt.taskOnly),
            Set(zip(tasks, statuses).filter { [.ioError, .tooLarge, .quarantined].contains($0.1) }.map(\.0.id)))
        for layout in [Layout.cellPerLine, .tabRows, .mixed, .none] {
            XCTAssertTrue(layout.rawValue.allSatisfy { $0.isLowercase || $0 == "_" })
        }
    }

    func testConstraintsRejectWhatTheCodeMustNeverWrite() throws {
        let store = try makeStore()
        // A task of a job that does not exist
        XCTAssertThrowsError(try execute(store, "INSERT INTO tasks (job_id, path) VALUES (42, '/x')"))
        // A document row with an empty hash
        XCTAssertThrowsError(
            try execute(
                store,
                """
                INSERT INTO reports (sha256, source, byte_count, status, format, layout, sections,
                    t3_present, has_table4, t2_present, error_count, warning_count)
                VALUES ('', 's', 0, 'ok', 'text', 'none', '', 0, 0, 0, 0, 0)
                """))
        // A done task whose counters would go out of balance
        XCTAssertThrowsError(
            try execute(store, "INSERT INTO jobs (name, roots, recursive, n_total) VALUES ('x', '[]', 0, 5)"))
    }

    func testAnInvalidHashFailsTheCommitBeforeWritingAnything() throws {
        // Given a batch with one good report and one whose hash is not 64 hex digits
        let (store, _, tasks) = try makeStoreWithTasks(2)
        let good = StoreFixtures.report2021(sha256: StoreFixtures.sha(1))
        let bad = StoreFixtures.report2021(sha256: "not-a-hash")

        // When it is committed, then it throws and nothing is stored
        XCTAssertThrowsError(try store.commit([(tasks[0].id, good), (tasks[1].id, bad)])) { error in
            XCTAssertEqual((error as? StoreError)?.code, .invalidHash)
        }
        XCTAssertEqual(try store.counts().documents, 0)
        XCTAssertEqual(try store.task(tasks[0].id)?.state, .pending)
    }

    func testEveryViewCanBeQueried() throws {
        let store = try makeStore()
        for view in [
            "table3_cells", "table4_cells", "table2_cells", "summary_by_year", "summary_by_region",
            "summary_by_agency", "cross_report_findings",
        ] {
            XCTAssertNoThrow(try textRows(store, "SELECT * FROM \(view)"), view)
        }
    }
}
