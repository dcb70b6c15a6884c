import Foundation
import GRDB
import GongkaiCore
import XCTest

@testable import GongkaiStore

/// What only the SQLite store has: a file in WAL mode, reopened, read by another process, and
/// GRDB's migration bookkeeping; and the frozen code lists both backends' schemas come from.
final class SQLiteStoreTests: XCTestCase {
    func testAnInMemoryStoreHasForeignKeysOnAndUserVersionSet() throws {
        let store = try SummaryStore.inMemory()
        let userVersion = try store.writer.read { try Int.fetchOne($0, sql: "PRAGMA user_version") }
        XCTAssertEqual(userVersion, SummaryStore.currentSchemaVersion)
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

    func testAVersion2StoreIsMigratedAndItsTasksKeepTheirLinksWithoutTheHashIndex() throws {
        // Given a store file left by schema version 2 (with the index on tasks.sha256), holding a result
        let path = try makeTemporaryDirectory().appendingPathComponent("store.sqlite").path
        do {
            var config = Configuration()
            config.foreignKeysEnabled = true
            let queue = try DatabaseQueue(path: path, configuration: config)
            try StoreSchema.migrator.migrate(queue, upTo: "0002-views")
            try queue.write { db in
                try db.execute(sql: "INSERT INTO jobs (name, roots, recursive) VALUES ('old', '[]', 0)")
                try db.execute(sql: "INSERT INTO tasks (job_id, path) VALUES (1, '/c/old.txt')")
            }
            XCTAssertEqual(try queue.read { try Int.fetchOne($0, sql: "PRAGMA user_version") }, 2)
        }

        // When this version opens it and commits more results, new documents and duplicates alike
        let store = try SummaryStore(path: path)
        let tasks = try store.addTasks(job: 1, paths: ["/c/a.txt", "/c/b.txt", "/c/copy-of-a.txt"])
        let receipt = try store.commit([
            (1, StoreFixtures.report2021(sha256: StoreFixtures.sha(7))),
            (tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1))),
            (tasks[1].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(2))),
            (tasks[2].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1))),
        ])

        // Then it is at the current version without the index, and every task links to its document
        XCTAssertEqual(try store.schemaVersion(), SummaryStore.currentSchemaVersion)
        let indexes = try store.writer.read {
            try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'")
        }
        XCTAssertFalse(indexes.contains("tasks_sha256"), "\(indexes)")
        XCTAssertEqual(receipt.stored.count, 3)
        XCTAssertEqual(receipt.duplicates, [tasks[2].id])
        let violations = try store.writer.read { try Row.fetchAll($0, sql: "PRAGMA foreign_key_check") }
        XCTAssertEqual(violations.count, 0)
        let links = try store.writer.read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM tasks t JOIN reports r ON r.sha256 = t.sha256")
        }
        XCTAssertEqual(links, 4)
        XCTAssertEqual(try store.jobStatus(job: 1)?.done, 4)
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
}
