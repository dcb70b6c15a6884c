import Foundation
import GRDB
import GongkaiCore
import XCTest

@testable import GongkaiStore

final class StoreSchemaTests: XCTestCase {
    func testMigrationsCreateTheSchemaOnAnEmptyInMemoryDatabase() throws {
        // Given an empty in-memory database
        // When the store opens it
        let store = try SummaryStore.inMemory()

        // Then every migration ran and the tables are empty
        XCTAssertEqual(try store.schemaVersion(), SummaryStore.currentSchemaVersion)
        let userVersion = try store.writer.read { try Int.fetchOne($0, sql: "PRAGMA user_version") }
        XCTAssertEqual(userVersion, SummaryStore.currentSchemaVersion)
        let counts = try store.counts()
        XCTAssertEqual([counts.documents, counts.findings, counts.tasks, counts.jobs], [0, 0, 0, 0])
        let foreignKeys = try store.writer.read { try Bool.fetchOne($0, sql: "PRAGMA foreign_keys") }
        XCTAssertEqual(foreignKeys, true)
    }

    func testMigrationsRunOnATemporaryFileAndReopeningKeepsTheData() throws {
        // Given a store file with a job, a task and a committed report
        let path = try makeTemporaryDirectory().appendingPathComponent("store.sqlite").path
        var job: Int64 = 0
        do {
            let store = try SummaryStore(path: path)
            let journal = try store.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
            XCTAssertEqual(journal, "wal")
            let synchronous = try store.writer.read { try Int.fetchOne($0, sql: "PRAGMA synchronous") }
            XCTAssertEqual(synchronous, 1, "synchronous = NORMAL")
            job = try store.createJob(name: "seeds", roots: ["/corpus"], recursive: true, glob: "*.txt")
            let tasks = try store.addTasks(job: job, paths: ["/corpus/a.txt"])
            try store.commit([(tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1)))])
        }

        // When it is opened again (after a checkpoint on the way out)
        try SummaryStore(path: path).checkpoint()
        let reopened = try SummaryStore(path: path)

        // Then the migrations are not re-run and the data is there
        XCTAssertEqual(try reopened.schemaVersion(), SummaryStore.currentSchemaVersion)
        let counts = try reopened.counts()
        XCTAssertEqual(counts.documents, 1)
        XCTAssertEqual(counts.findings, 2)
        XCTAssertEqual(counts.tasks, 1)
        XCTAssertEqual(counts.jobs, 1)
        let status = try XCTUnwrap(try reopened.jobStatus(job: job))
        XCTAssertEqual(status.roots, ["/corpus"])
        XCTAssertEqual(status.glob, "*.txt")
        XCTAssertEqual(status.done, 1)
        XCTAssertNotNil(try reopened.report(sha256: StoreFixtures.sha(1)))
    }

    func testAReadOnlyStoreReadsWhatAWriterCommitted() throws {
        // Given a store file being written
        let path = try makeTemporaryDirectory().appendingPathComponent("store.sqlite").path
        let store = try SummaryStore(path: path)
        let job = try store.createJob(name: "live", roots: ["/c"], recursive: false)
        let tasks = try store.addTasks(job: job, paths: ["/c/a.txt"])
        try store.commit([(tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1)))])

        // When another process opens it read-only
        let reader = try SummaryStore(path: path, readOnly: true)

        // Then it sees the data and cannot write
        XCTAssertEqual(try reader.jobStatus(job: job)?.done, 1)
        XCTAssertEqual(try reader.report(sha256: StoreFixtures.sha(1))?.agency, "某某市交通运输局")
        XCTAssertThrowsError(try reader.createJob(name: "no", roots: [], recursive: false))
    }

    func testOpeningAStoreWrittenByANewerVersionFails() throws {
        // Given a store file that a newer version migrated further
        let path = try makeTemporaryDirectory().appendingPathComponent("store.sqlite").path
        do {
            let store = try SummaryStore(path: path)
            try store.writer.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('9999-from-the-future')")
            }
        }

        // When this version opens it, then it refuses
        XCTAssertThrowsError(try SummaryStore(path: path)) { error in
            XCTAssertEqual((error as? StoreError)?.code, .newerSchema)
        }
    }

    func testFrozenCodeListsMatchTheModel() {
        // The migrations use frozen copies of the canonical codes; they must match GongkaiCore's.
        XCTAssertEqual(StoreSchema.table3Rows, Table3Row.allCases.map(\.code))
        XCTAssertEqual(StoreSchema.table3Columns, Table3Column.allCases.map(\.code))
        XCTAssertEqual(StoreSchema.table4Groups, Table4Group.allCases.map(\.code))
        XCTAssertEqual(StoreSchema.table4Columns, Table4Column.allCases.map(\.code))
        let slots = Set(StoreSchema.table2Slots.map { "\($0.row).\($0.field)" })
        XCTAssertEqual(slots.count, StoreSchema.table2Slots.count, "table 2 slots are unique")
        for template in [Template.y2021, .y2019] {
            for (row, fields) in Table2.layout(of: template) {
                for field in fields {
                    XCTAssertTrue(slots.contains("\(row).\(field)"), "table 2 \(row).\(field) has a column")
                }
            }
        }
        XCTAssertEqual(StoreSchema.table3CellColumns.count, 175)
        XCTAssertEqual(StoreSchema.table4CellColumns.count, 15)
        XCTAssertEqual(Set(StoreSchema.reportInsertColumns).count, StoreSchema.reportInsertColumns.count)
    }

    func testEveryReportStatusAndLayoutPassesTheChecks() throws {
        // The CHECK constraints accept code-shaped values; every status the model has must pass.
        let store = try SummaryStore.inMemory()
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
        let store = try SummaryStore.inMemory()
        // A task of a job that does not exist
        XCTAssertThrowsError(
            try store.writer.write { try $0.execute(sql: "INSERT INTO tasks (job_id, path) VALUES (42, '/x')") })
        // A document row with an empty hash
        XCTAssertThrowsError(
            try store.writer.write {
                try $0.execute(
                    sql: """
                        INSERT INTO reports (sha256, source, byte_count, status, format, layout, sections,
                            t3_present, has_table4, t2_present, error_count, warning_count)
                        VALUES ('', 's', 0, 'ok', 'text', 'none', '', 0, 0, 0, 0, 0)
                        """)
            })
        // A done task whose counters would go out of balance
        XCTAssertThrowsError(
            try store.writer.write {
                try $0.execute(sql: "INSERT INTO jobs (name, roots, recursive, n_total) VALUES ('x', '[]', 0, 5)")
            })
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
        let store = try SummaryStore.inMemory()
        for view in [
            "table3_cells", "table4_cells", "table2_cells", "summary_by_year", "summary_by_region",
            "summary_by_agency", "cross_report_findings",
        ] {
            XCTAssertNoThrow(try store.writer.read { try Row.fetchAll($0, sql: "SELECT * FROM \(view)") }, view)
        }
    }
}
