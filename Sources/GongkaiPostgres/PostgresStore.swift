// The summary store on a PostgreSQL server, through postgres-nio.

import Foundation
import GongkaiCore
import GongkaiStore
import Logging
import PostgresNIO
import Synchronization

/// The summary store in a PostgreSQL database: the same schema, migrations, idempotent commits
/// and summaries as ``SummaryStore`` (SQLite), for a cluster whose collectors must outpace one
/// SQLite file, or whose store must outlive one host.
///
/// Open it with a URL, `postgres://user:password@host:5432/database` (see `docs/store.md`), or
/// through `SummaryStores.open(_:readOnly:logger:)`. The schema is created or upgraded when the
/// store opens (named, append-only migrations in one transaction each, under an advisory lock, so
/// two coordinators starting at once migrate once).
///
/// ## Threads
///
/// Every method is synchronous, as ``SummaryStoring`` requires: it sends its statements on a
/// postgres-nio connection and blocks the calling thread until the result is in
/// (`EventLoopFuture.wait()`). Never call it from a NIO event loop or the cooperative thread pool;
/// the cluster calls it from its own threads. Each call borrows a connection from a small set
/// kept open between calls, so the collector's long commit does not hold up the feeder.
///
/// ## Failures
///
/// When the server cannot be reached (refused, restarted, connection lost mid-call), a call
/// throws ``StoreError`` with code ``StoreError/Code/unavailable``: nothing of it was committed,
/// the broken connection is dropped, and the next call connects again. Callers retry
/// (``StoreError/isRetryable``); the cluster's collector retries commits with backoff.
public final class PostgresStore: SummaryStoring {
    /// Whether the store was opened with `readOnly: true`.
    public let isReadOnly: Bool
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    /// Where it is, password hidden, for messages.
    let label: String
    /// Open connections not in use.
    private let idle = Mutex<[PostgresConnection]>([])
    private let nextConnectionID = Atomic<Int>(1)
    /// Connections kept open between calls: one per thread that uses the store (the cluster has
    /// three), one spare.
    private static let idleLimit = 4

    /// Connects to the database at `url` and brings its schema up to date.
    ///
    /// - Parameters:
    ///   - url: `postgres://` or `postgresql://`, as `docs/store.md` describes.
    ///   - readOnly: Use read-only sessions and do not migrate; the schema must then be current.
    ///   - logger: Where postgres-nio logs (debug and below).
    /// - Throws: ``StoreError``: ``StoreError/Code/invalidLocation`` for a malformed URL,
    ///   ``StoreError/Code/unavailable`` when the server cannot be reached,
    ///   ``StoreError/Code/database`` when it refuses (authentication, a missing database),
    ///   ``StoreError/Code/newerSchema`` or ``StoreError/Code/outdatedSchema`` as for SQLite.
    public init(url: String, readOnly: Bool = false, logger: Logger = Logger(label: "gongkai.store")) throws {
        configuration = try PostgresURL.configuration(url, readOnly: readOnly)
        isReadOnly = readOnly
        self.logger = logger
        label = StoreLocation.postgres(url: url).description
        if readOnly {
            try checkSchema()
        } else {
            try migrate()
        }
    }

    deinit {
        for connection in idle.withLock({ $0 }) {
            try? connection.close().wait()
        }
    }

    /// A no-op: PostgreSQL needs no checkpoint from its clients.
    public func checkpoint() throws {}

    /// The schema version this build creates (the same as SQLite's).
    public static var currentSchemaVersion: Int { SummaryStore.currentSchemaVersion }

    public func schemaVersion() throws -> Int {
        try withSession { session in
            let rows = try session.query("SELECT value FROM meta WHERE key = 'schema_version'")
            guard let text = try rows.first?.makeRandomAccess().text(0) else { return 0 }
            return Int(text) ?? 0
        }
    }

    public func counts() throws -> (documents: Int, findings: Int, tasks: Int, jobs: Int) {
        try withSession { session in
            let rows = try session.query(
                """
                SELECT (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM findings),
                       (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM jobs)
                """)
            guard let row = rows.first else { return (0, 0, 0, 0) }
            let columns = row.makeRandomAccess()
            let values = try (0..<4).map { Int(try columns.int($0) ?? 0) }
            return (values[0], values[1], values[2], values[3])
        }
    }

    // MARK: Migrations

    private func checkSchema() throws {
        let applied = try withSession { try appliedMigrations($0) }
        let known = Set(PostgresSchema.migrations.map(\.identifier))
        if !applied.isSubset(of: known) {
            throw StoreError(.newerSchema, "the store was written by a newer version of gongkai")
        }
        if applied != known {
            throw StoreError(.outdatedSchema, "the store must be opened for writing once to migrate it")
        }
    }

    private func appliedMigrations(_ session: PostgresSession) throws -> Set<String> {
        let exists = try session.query("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard let row = exists.first, try row.makeRandomAccess()[0].decode(Bool.self) else { return [] }
        let rows = try session.query("SELECT identifier FROM schema_migrations")
        return Set(try rows.compactMap { try $0.makeRandomAccess().text(0) })
    }

    private func migrate() throws {
        try transaction { session in
            // One migrator at a time across processes; released at commit.
            try session.execute("SELECT pg_advisory_xact_lock(hashtext('gongkai.schema'))")
            let applied = try appliedMigrations(session)
            let known = Set(PostgresSchema.migrations.map(\.identifier))
            guard applied.isSubset(of: known) else {
                throw StoreError(.newerSchema, "the store was written by a newer version of gongkai")
            }
            for migration in PostgresSchema.migrations where !applied.contains(migration.identifier) {
                for statement in migration.statements { try session.execute(statement) }
                var binds = PostgresBindings()
                binds.append(migration.identifier)
                try session.execute("INSERT INTO schema_migrations (identifier) VALUES ($1)", binds)
                logger.debug("migrated \(label) to \(migration.identifier)")
            }
        }
    }

    // MARK: Connections

    /// Runs `body` with a connection borrowed for the call. A connection that failed in a way
    /// that may have broken it is closed instead of being kept.
    func withSession<T>(_ body: (PostgresSession) throws -> T) throws -> T {
        let connection = try borrow()
        let session = PostgresSession(connection: connection, logger: logger)
        do {
            let value = try body(session)
            giveBack(connection)
            return value
        } catch let error as StoreError where error.code != .unavailable {
            // The server refused a statement; the connection is fine (any transaction was rolled back).
            giveBack(connection)
            throw error
        } catch {
            try? connection.close().wait()
            throw error
        }
    }

    /// Runs `body` in one transaction on a borrowed connection: all or nothing.
    func transaction<T>(readOnly: Bool = false, _ body: (PostgresSession) throws -> T) throws -> T {
        try withSession { session in
            try session.execute(readOnly ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN")
            let value: T
            do {
                value = try body(session)
            } catch {
                if !StoreError.isRetryable(error) {
                    do {
                        try session.execute("ROLLBACK")
                    } catch {
                        throw StoreError(.unavailable, "\(label): ROLLBACK failed: \(error)")
                    }
                }
                throw error
            }
            try session.execute("COMMIT")
            return value
        }
    }

    private func borrow() throws -> PostgresConnection {
        while let connection = idle.withLock({ $0.popLast() }) {
            if !connection.isClosed { return connection }
            try? connection.close().wait()
        }
        let id = nextConnectionID.add(1, ordering: .relaxed).oldValue
        do {
            return try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: id,
                logger: logger
            ).wait()
        } catch {
            let mapped = PostgresSession.storeError(error)
            if let storeError = mapped as? StoreError, storeError.code == .unavailable {
                throw StoreError(.unavailable, "cannot connect to \(label): \(storeError.message)")
            }
            throw mapped
        }
    }

    private func giveBack(_ connection: PostgresConnection) {
        let kept = idle.withLock { idle -> Bool in
            guard idle.count < Self.idleLimit, !connection.isClosed else { return false }
            idle.append(connection)
            return true
        }
        if !kept { try? connection.close().wait() }
    }
}

/// One connection lent to one store call: statements with parameters, errors as ``StoreError``.
struct PostgresSession {
    let connection: PostgresConnection
    let logger: Logger

    /// Runs one statement (extended protocol: parameters are sent apart from the SQL) and
    /// collects its rows.
    @discardableResult
    func query(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> [PostgresRow] {
        try run(sql, binds).rows
    }

    /// Runs one statement and returns how many rows it inserted, updated or deleted.
    @discardableResult
    func execute(_ sql: String, _ binds: PostgresBindings = PostgresBindings()) throws -> Int {
        try run(sql, binds).metadata.rows ?? 0
    }

    private func run(_ sql: String, _ binds: PostgresBindings) throws -> PostgresQueryResult {
        do {
            return try wait(connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger))
        } catch {
            throw Self.storeError(error)
        }
    }

    /// Blocks until the future completes, like `wait()`, but gives up when the connection has
    /// closed and no answer came: postgres-nio hands a query to the channel without a write
    /// promise, so a query written just as the server closed the connection is never answered
    /// (seen when PostgreSQL restarted), and `wait()` would block forever.
    private func wait<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let outcome = Outcome<T>()
        future.whenComplete { result in outcome.set(result) }
        var slicesSinceClosed = 0
        while true {
            if let result = outcome.wait(seconds: 1) { return try result.get() }
            if connection.isClosed {
                slicesSinceClosed += 1
                if slicesSinceClosed >= 2 {
                    throw StoreError(.unavailable, "the connection closed without answering")
                }
            }
        }
    }

    // MARK: Errors

    /// postgres-nio's and NIO's errors as ``StoreError``: `unavailable` when the server cannot be
    /// reached or ended the session (SQLSTATE classes 08 and 57P, too many connections,
    /// serialization failures and deadlocks, which a retry resolves), `database` otherwise, with
    /// the server's own message.
    static func storeError(_ error: any Error) -> any Error {
        switch error {
        case let error as StoreError:
            return error
        case let error as PSQLError:
            if error.code == .server {
                let state = error.serverInfo?[.sqlState] ?? "?????"
                var message = "PostgreSQL \(state): " + (error.serverInfo?[.message] ?? "error")
                if let detail = error.serverInfo?[.detail] { message += " (\(detail))" }
                let transient =
                    state.hasPrefix("08") || state.hasPrefix("57P") || state == "53300" || state == "40001"
                    || state == "40P01"
                return StoreError(transient ? .unavailable : .database, message)
            }
            let underlying = error.underlying.map { ": \($0)" } ?? ""
            switch error.code {
            case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection:
                return StoreError(.unavailable, "PostgreSQL connection failed or lost (\(error.code))\(underlying)")
            default:
                return StoreError(.database, "PostgreSQL: \(error.code)\(underlying)")
            }
        case let error as PostgresDecodingError:
            return StoreError(.corruptRow, "column \(error.columnName): \(error.code) (\(error.postgresType))")
        case is ChannelError, is IOError, is NIOConnectionError:
            return StoreError(.unavailable, "PostgreSQL connection failed: \(error)")
        default:
            return StoreError(.database, "PostgreSQL: \(error)")
        }
    }
}

/// The result of a future, handed from the event loop to the thread waiting for it.
private final class Outcome<T: Sendable>: Sendable {
    private let result = Mutex<Result<T, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func set(_ value: Result<T, any Error>) {
        result.withLock { $0 = value }
        done.signal()
    }

    /// The result, or `nil` if none came within `seconds`.
    func wait(seconds: Int) -> Result<T, any Error>? {
        guard done.wait(timeout: .now() + .seconds(seconds)) == .success else { return nil }
        return result.withLock { $0 }
    }
}

extension PostgresRandomAccessRow: ReportSource {
    package func int(_ index: Int) throws -> Int64? { try self[index].decode(Int64?.self) }
    package func real(_ index: Int) throws -> Double? { try self[index].decode(Double?.self) }
    package func text(_ index: Int) throws -> String? { try self[index].decode(String?.self) }
}
