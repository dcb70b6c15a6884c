import Foundation
import GongkaiCore
import GongkaiPostgres
import XCTest

@testable import GongkaiStore

/// What only the PostgreSQL store has: URLs, reopening and read-only sessions, the migration
/// bookkeeping, lost connections; and the figures it must share with SQLite.
final class PostgresStoreTests: StoreTestCase {
    override class var backend: StoreBackend { .postgres }

    func testReopeningKeepsTheDataAndAReadOnlyStoreCannotWrite() throws {
        // Given a database with a job, a task and a committed report
        let url = try makePostgresDatabase()
        var job: Int64 = 0
        do {
            let store = try PostgresStore(url: url)
            job = try store.createJob(name: "seeds", roots: ["/corpus"], recursive: true, glob: "*.txt")
            let tasks = try store.addTasks(job: job, paths: ["/corpus/a.txt"])
            try store.commit([(tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1)))])
        }

        // When it is opened again, and read-only
        let reopened = try PostgresStore(url: url)
        let reader = try PostgresStore(url: url, readOnly: true)

        // Then the data is there, and the reader cannot write
        XCTAssertEqual(try reopened.schemaVersion(), SummaryStore.currentSchemaVersion)
        let counts = try reader.counts()
        XCTAssertEqual([counts.documents, counts.findings, counts.tasks, counts.jobs], [1, 2, 1, 1])
        XCTAssertEqual(try reader.jobStatus(job: job)?.glob, "*.txt")
        XCTAssertEqual(try reader.report(sha256: StoreFixtures.sha(1))?.agency, "某某市交通运输局")
        XCTAssertThrowsError(try reader.createJob(name: "no", roots: [], recursive: false)) { error in
            XCTAssertEqual((error as? StoreError)?.code, .database, "\(error)")
        }
    }

    func testOpeningAStoreWrittenByANewerVersionFails() throws {
        let url = try makePostgresDatabase()
        try PostgresStore(url: url).execute(
            sql: "INSERT INTO schema_migrations (identifier) VALUES ('9999-from-the-future')")
        XCTAssertThrowsError(try PostgresStore(url: url)) { error in
            XCTAssertEqual((error as? StoreError)?.code, .newerSchema)
        }
        XCTAssertThrowsError(try PostgresStore(url: url, readOnly: true)) { error in
            XCTAssertEqual((error as? StoreError)?.code, .newerSchema)
        }
    }

    func testTheStoreReconnectsAfterTheServerDroppedItsConnections() throws {
        // Given a store whose connections are open
        let url = try makePostgresDatabase()
        let store = try PostgresStore(url: url)
        let job = try store.createJob(name: "j", roots: [], recursive: false)
        let tasks = try store.addTasks(job: job, paths: ["/c/a.txt", "/c/b.txt"])

        // When the server ends every session of the database (as a restart does)
        let server = try postgresServer()
        let database = try XCTUnwrap(URLComponents(string: url)?.path.dropFirst())
        try PostgresStore.administer(
            url: server, sql: "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(database)'")

        // Then a call fails at most once, retryably, and the next one works on a new connection
        var failures = 0
        var receipt: CommitReceipt?
        while receipt == nil && failures < 3 {
            do {
                receipt = try store.commit([(tasks[0].id, StoreFixtures.report2021(sha256: StoreFixtures.sha(1)))])
            } catch {
                XCTAssertTrue(StoreError.isRetryable(error), "\(error)")
                failures += 1
            }
        }
        XCTAssertLessThanOrEqual(failures, 1)
        XCTAssertEqual(receipt?.stored, [tasks[0].id])
        XCTAssertEqual(try store.jobStatus(job: job)?.done, 1)
    }

    func testSummariesAreIdenticalToSQLitesForTheSameCorpus() throws {
        // Given the same 300 reports, with awkward ratios, committed to both stores
        var reports: [Report] = []
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int64) -> Int64 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64((seed >> 33) % UInt64(bound))
        }
        let agencies = ["甲局", "乙局", "丙　局", "Ｄ办公室", "e委员会", "某县人民政府"]
        let regions: [String?] = ["杭州", "宁波", nil, "温州"]
        for i in 0..<300 {
            let blank = next(7) == 0
            reports.append(
                StoreFixtures.figures(
                    sha256: StoreFixtures.sha(i + 1), agency: next(20) == 0 ? nil : agencies[Int(next(6))],
                    year: next(30) == 0 ? nil : 2019 + Int(next(6)), region: regions[Int(next(4))],
                    new: next(1_000), carriedOver: next(50), granted: next(333), resultsTotal: blank ? nil : 1 + next(997),
                    carriedForward: next(50), review: (next(7), 7 + next(11)), direct: (next(3), blank ? nil : next(13)),
                    afterReview: (next(5), 1 + next(9)),
                    regulations: (issued: next(4), repealed: next(3), inForce: 10 + next(40)),
                    normative: (issued: next(9), repealed: next(5), inForce: 50 + next(60)), errors: Int(next(3))))
        }
        reports.append(Report(source: "/c/notice.txt", sha256: StoreFixtures.sha(999), status: .notReport))
        let sqlite = try SummaryStore.inMemory()
        let postgres = try makeStore()
        for store in [sqlite, postgres] as [any SummaryStoring] {
            let job = try store.createJob(name: "corpus", roots: ["/c"], recursive: true)
            let tasks = try store.addTasks(job: job, paths: reports.map(\.source))
            try store.commit(zip(tasks, reports).map { ($0.id, $1) })
        }

        // Then every figure is the same, bit for bit, in the same order
        for dimension in SummaryDimension.allCases {
            let expected = try sqlite.summary(by: dimension)
            XCTAssertGreaterThan(expected.count, 3, "\(dimension)")
            XCTAssertEqual(try postgres.summary(by: dimension), expected, "\(dimension)")
        }
        let rules = try postgres.findingsByRule()
        let expectedRules = try sqlite.findingsByRule()
        XCTAssertEqual(rules.map(\.rule), expectedRules.map(\.rule))
        XCTAssertEqual(rules.map(\.count), expectedRules.map(\.count))
        let cross = try sqlite.crossReportFindings()
        XCTAssertFalse(cross.isEmpty)
        XCTAssertEqual(try postgres.crossReportFindings(), cross)
    }

    func testEveryStoreTestAlsoRunsOnPostgreSQL() throws {
        // The shared classes' tests, each overridden in PostgresSuites.swift.
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let suites = try String(contentsOf: directory.appendingPathComponent("PostgresSuites.swift"), encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".swift") }
        var shared = 0
        for file in files {
            let text = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            guard let declaration = text.range(of: #"\nclass \w+: StoreTestCase \{"#, options: .regularExpression)
            else { continue }
            let name = text[declaration].dropFirst("\nclass ".count).prefix { $0 != ":" }
            XCTAssertTrue(suites.contains("final class Postgres\(name): \(name) {"), "\(name) has no PostgreSQL suite")
            for line in text.split(separator: "\n") where line.hasPrefix("    func test") {
                let test = line.dropFirst("    func ".count).prefix { $0 != "(" }
                XCTAssertTrue(suites.contains("override func \(test)()"), "\(name).\(test) does not run on PostgreSQL")
                shared += 1
            }
        }
        XCTAssertGreaterThan(shared, 30)
    }
}
