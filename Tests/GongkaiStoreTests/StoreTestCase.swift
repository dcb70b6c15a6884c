import Foundation
import GRDB
import GongkaiPostgres
@testable import GongkaiStore
import XCTest

/// The database a store test runs on.
enum StoreBackend {
    case sqlite
    case postgres
}

/// A store test that runs on SQLite; its `Postgres…` subclass runs the same tests on PostgreSQL
/// (each test overridden there, since XCTest on Linux does not find inherited test methods).
class StoreTestCase: XCTestCase {
    /// The backend of every test of the class.
    class var backend: StoreBackend { .sqlite }

    /// The variable that names the PostgreSQL server the PostgreSQL tests use.
    static let postgresVariable = "GONGKAI_TEST_POSTGRES_URL"

    /// Skips a PostgreSQL test when no server is given (before the test body, whose assertions
    /// would otherwise catch the skip as an error).
    override func setUpWithError() throws {
        try super.setUpWithError()
        if Self.backend == .postgres { _ = try postgresServer() }
    }

    /// The server URL from `GONGKAI_TEST_POSTGRES_URL`; the test is skipped without it.
    func postgresServer() throws -> String {
        guard let server = ProcessInfo.processInfo.environment[Self.postgresVariable], !server.isEmpty else {
            throw XCTSkip(
                "PostgreSQL store test skipped: set \(Self.postgresVariable) to a server URL "
                    + "(scripts/postgres.sh start prints one; scripts/test.sh does it all)")
        }
        return server
    }

    /// An empty store: SQLite in memory, or a PostgreSQL database of its own on the server at
    /// `GONGKAI_TEST_POSTGRES_URL`, dropped when the test ends. Without that variable, a
    /// PostgreSQL test is skipped.
    func makeStore() throws -> any SummaryStoring {
        switch Self.backend {
        case .sqlite: return try SummaryStore.inMemory()
        case .postgres: return try PostgresStore(url: try makePostgresDatabase())
        }
    }

    /// A store with one job holding `count` tasks (`/c/0.txt` …).
    func makeStoreWithTasks(_ count: Int) throws -> (any SummaryStoring, Int64, [TaskRef]) {
        let store = try makeStore()
        let job = try store.createJob(name: "test", roots: ["/c"], recursive: true)
        let tasks = try store.addTasks(job: job, paths: (0..<count).map { "/c/\($0).txt" })
        return (store, job, tasks)
    }

    /// A fresh database on the test server; its URL.
    func makePostgresDatabase() throws -> String {
        let database = try PostgresStore.createScratchDatabase(on: try postgresServer(), prefix: "gk_test_")
        addTeardownBlock(database.drop)
        return database.url
    }

    /// Runs one SQL statement on the store's database.
    func execute(_ store: any SummaryStoring, _ sql: String) throws {
        switch store {
        case let sqlite as SummaryStore: try sqlite.writer.write { try $0.execute(sql: sql) }
        case let postgres as PostgresStore: try postgres.execute(sql: sql)
        default: XCTFail("unknown store \(type(of: store))")
        }
    }

    /// The rows of a query on the store's database, values as text (integers in decimal, doubles
    /// in Swift's shortest form), NULL as `nil`: the same text from both backends.
    func textRows(_ store: any SummaryStoring, _ sql: String) throws -> [[String?]] {
        switch store {
        case let sqlite as SummaryStore:
            return try sqlite.writer.read { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    row.databaseValues.map { value -> String? in
                        switch value.storage {
                        case .null: return nil
                        case .int64(let v): return String(v)
                        case .double(let v): return String(v)
                        case .string(let v): return v
                        case .blob(let v): return v.base64EncodedString()
                        }
                    }
                }
            }
        case let postgres as PostgresStore:
            return try postgres.textRows(sql: sql)
        default:
            XCTFail("unknown store \(type(of: store))")
            return []
        }
    }
}
