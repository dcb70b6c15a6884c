import Foundation
import GongkaiCorpus
import GongkaiDecode
import GongkaiPostgres
import GongkaiStore
import GongkaiWire
import XCTest

/// `gongkai serve --store postgres://…` as real processes: every report stored exactly once in
/// PostgreSQL, through a database restart too, with the same `gongkai summary` as SQLite's.
/// Needs a server in `GONGKAI_TEST_POSTGRES_URL` (scripts/test.sh starts one), else skipped.
final class PostgresClusterTests: ClusterTestCase {
    private static let count = 1000

    override class func tearDown() {
        ClusterCorpus.removeAll()
        super.tearDown()
    }

    override func setUpWithError() throws {
        try super.setUpWithError()
        _ = try server()
    }

    private func server() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["GONGKAI_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw XCTSkip(
                "PostgreSQL cluster test skipped: set GONGKAI_TEST_POSTGRES_URL to a server URL "
                    + "(scripts/postgres.sh start prints one; scripts/test.sh does it all)")
        }
        return url
    }

    /// A fresh database on the test server, dropped when the test ends; its URL.
    private func makeDatabase() throws -> String {
        let database = try PostgresStore.createScratchDatabase(on: try server(), prefix: "gk_cluster_")
        addTeardownBlock(database.drop)
        return database.url
    }

    /// The content hash of every generated report.
    private func generatedHashes() -> Set<String> {
        let generator = CorpusGenerator(options: .init(seed: ClusterCorpus.seed, errorRate: ClusterCorpus.errorRate))
        return Set((0..<Self.count).map { DocumentReader.sha256Hex(generator.report($0).bytes) })
    }

    /// Runs the corpus through `serve` on `store` and waits for the job; `onPoll` runs between polls.
    private func serveCorpus(
        store: String, name: String, arguments: [String] = [],
        onPoll: (ServeProcess, GongkaiWire.JobStatus?) throws -> Void = { _, _ in }
    ) throws -> (ServeProcess, Int) {
        let corpus = try ClusterCorpus.directory(count: Self.count)
        let serve = try startServe(in: try temporaryDirectory(name), workers: 2, store: store, arguments: arguments)
        try serve.waitUntilReady(workers: 2)
        let job = try serve.submit(SubmitRequest(paths: [corpus.path], glob: "*.txt", name: name))
        let status = try serve.waitForJob(job, timeout: 300) {
            try onPoll(serve, try? serve.status(job: job).jobs.first)
        }
        XCTAssertEqual(status.total, Self.count)
        XCTAssertEqual(status.done + status.failed, Self.count)
        XCTAssertEqual(status.quarantined, 0)
        return (serve, job)
    }

    /// Every task done and every generated report stored exactly once.
    private func assertStoredExactlyOnce(_ store: any SummaryStoring, job: Int) throws {
        let hashes = generatedHashes()
        var linked = Set<String>()
        var notDone: [String] = []
        try store.results(job: Int64(job)) { row in
            if row.state != .done { notDone.append(row.path) }
            if let sha256 = row.sha256 { linked.insert(sha256) }
        }
        XCTAssertEqual(notDone, [], "tasks not done")
        XCTAssertEqual(linked, hashes, "every generated report is linked to its document")
        let counts = try store.counts()
        XCTAssertEqual(counts.documents, hashes.count, "one document row per distinct report")
        XCTAssertEqual(counts.tasks, Self.count)
    }

    private func summaries(store: String) throws -> [String] {
        try ["year", "region", "agency"].map { by in
            let result = try Harness.run(["summary", "--format", "json", "--by", by, "--store", store])
            XCTAssertEqual(result.status, 0, result.stderr)
            return result.stdout
        }
    }

    /// Runs a program with standard streams on /dev/null and waits for it with `waitpid`: the
    /// server `pg_ctl` starts keeps the test process's inherited descriptors open, and Foundation's
    /// `Process` waits for those to close (seen: forever).
    private static func spawnAndWait(_ arguments: [String]) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard spawned == 0 else { throw ClusterTestError("cannot start \(arguments[0]): errno \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return status
    }

    func testServeStoresEveryReportOnceInPostgreSQLWithTheSameSummaryAsSQLite() throws {
        // Given the same corpus served once into PostgreSQL and once into SQLite
        let url = try makeDatabase()
        let (serve, job) = try serveCorpus(store: url, name: "pg1")
        let (sqliteServe, _) = try serveCorpus(store: try temporaryDirectory("pg1-sqlite").path + "/store.sqlite", name: "pg1s")

        // Then PostgreSQL holds every report exactly once
        let store = try PostgresStore(url: url, readOnly: true)
        try assertStoredExactlyOnce(store, job: job)
        XCTAssertTrue(serve.log.contains("store postgres://"), "serve names its store")

        // And `gongkai summary` prints the same figures from both
        let fromPostgres = try summaries(store: url)
        let fromSQLite = try summaries(store: sqliteServe.storePath)
        XCTAssertEqual(fromPostgres, fromSQLite)
        XCTAssertTrue(fromPostgres[0].contains("\"rows\""), fromPostgres[0])
    }

    func testARestartOfPostgreSQLMidJobLosesNothingAndStoresNothingTwice() throws {
        // Given a cluster committing into PostgreSQL
        let url = try makeDatabase()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/postgres.sh").path
        var restarted = false

        // When the server is restarted (pg_ctl restart -m fast) while the job runs, committing
        // in batches of at most 100 so that commits are under way
        let (serve, job) = try serveCorpus(store: url, name: "pg2", arguments: ["--commit-batch", "100"]) { _, status in
            guard !restarted, let status, status.state != "done" else { return }
            restarted = true
            XCTAssertEqual(try Self.spawnAndWait(["/bin/bash", script, "restart"]), 0, "scripts/postgres.sh restart")
        }

        // Then the cluster saw the outage, and the job still ends with every report stored exactly once
        XCTAssertTrue(restarted, "the job ended before the restart")
        XCTAssertTrue(serve.log.contains("unavailable:"), "no store call failed during the restart")
        let store = try PostgresStore(url: url, readOnly: true)
        try assertStoredExactlyOnce(store, job: job)
    }
}
