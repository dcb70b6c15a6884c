// The summary store: the durable state of the whole cluster, in one SQLite database.

import Foundation
import GRDB
import GongkaiCore

/// The summary store: the job and task ledger, one wide row per document, findings, summaries.
///
/// A file store is a WAL `DatabasePool` (`synchronous = NORMAL`, foreign keys on, a busy
/// timeout), so readers (`gongkai status`, `gongkai results`, the `sqlite3` CLI) never block
/// the collector's commits. Every method is synchronous and blocks its caller while SQLite
/// works: call it from a dedicated thread (the collector's, the coordinator's loop), not from
/// the cooperative thread pool.
///
/// The schema is created and upgraded by named, append-only migrations when the store opens;
/// ``schemaVersion()`` reads the version (`meta.schema_version`, also `PRAGMA user_version`).
/// See `docs/store.md` for the tables and views.
///
/// ## Topics
///
/// ### Opening
/// - ``init(path:busyTimeout:readOnly:)``
/// - ``inMemory()``
/// - ``checkpoint()``
///
/// ### The ledger
/// - ``createJob(name:roots:recursive:glob:)``
/// - ``addTasks(job:paths:)``
/// - ``markWalkComplete(job:)``
/// - ``pendingTasks(job:limit:afterTaskId:)``
/// - ``recordAttempt(task:crashed:)``
/// - ``quarantine(task:message:)``
/// - ``jobStatus(job:)``
/// - ``allJobs()``
/// - ``unfinishedJobs()``
///
/// ### Results
/// - ``commit(_:)``
/// - ``report(sha256:)``
/// - ``results(job:_:)``
///
/// ### Summaries
/// - ``summary(by:)``
/// - ``findingsByRule()``
/// - ``crossReportFindings()``
public final class SummaryStore: SummaryStoring {
    let writer: any DatabaseWriter
    /// Whether the store was opened with `readOnly: true`.
    public let isReadOnly: Bool

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    ///
    /// - Parameters:
    ///   - path: The SQLite file. `-wal` and `-shm` files appear beside it.
    ///   - busyTimeout: How long a connection waits for another process's lock before failing.
    ///   - readOnly: Open without writing anything (`gongkai status`, `gongkai results` beside a
    ///     running server, or a file the user may not write). The schema must then be current.
    /// - Throws: `DatabaseError` when the file cannot be opened or migrated; ``StoreError`` with
    ///   code ``StoreError/Code/newerSchema`` when a newer version wrote it, or
    ///   ``StoreError/Code/outdatedSchema`` when a read-only store needs migrations.
    public init(path: String, busyTimeout: TimeInterval = 10, readOnly: Bool = false) throws {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.readonly = readOnly
        config.busyMode = .timeout(busyTimeout)
        if !readOnly {
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                // Checkpoint every ~32 MiB of WAL rather than 4 MiB: fewer fsyncs, and pages
                // rewritten by successive batches (the hash index) are copied back once.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000")
                // An 8 MiB page cache: the hot pages of the hash index and the tasks table stay in
                // memory while a batch commits, the rest comes from the OS page cache. Measured with
                // 2 workers: 16 MiB was ~5% faster at 100,000 reports and ~8% at 1,000,000, but the
                // server's peak RSS then grew 1.5-1.6x from 10,000 to 1,000,000 reports (8 MiB:
                // 1.2-1.5x); 64 MiB was no faster than 16 (see docs/cluster.md, Performance).
                try db.execute(sql: "PRAGMA cache_size = -8192")
            }
        }
        writer = try DatabasePool(path: path, configuration: config)
        isReadOnly = readOnly
        if readOnly {
            try checkSchema()
        } else {
            try migrate()
        }
    }

    private init(writer: any DatabaseWriter) throws {
        self.writer = writer
        isReadOnly = false
        try migrate()
    }

    /// An empty store in memory, for tests. It disappears with the value.
    public static func inMemory() throws -> SummaryStore {
        var config = Configuration()
        config.foreignKeysEnabled = true
        return try SummaryStore(writer: DatabaseQueue(configuration: config))
    }

    private func checkSchema() throws {
        let migrator = StoreSchema.migrator
        let (superseded, complete) = try writer.read { db in
            (try migrator.hasBeenSuperseded(db), try migrator.hasCompletedMigrations(db))
        }
        if superseded { throw StoreError(.newerSchema, "the store was written by a newer version of gongkai") }
        if !complete { throw StoreError(.outdatedSchema, "the store must be opened for writing once to migrate it") }
    }

    private func migrate() throws {
        let migrator = StoreSchema.migrator
        let superseded = try writer.read { db in try migrator.hasBeenSuperseded(db) }
        guard !superseded else {
            throw StoreError(.newerSchema, "the store was written by a newer version of gongkai")
        }
        try migrator.migrate(writer)
    }

    /// Copies the write-ahead log back into the database file and truncates it. SQLite does
    /// this by itself as the log grows; call it when the cluster drains or shuts down so the
    /// file is self-contained. No-op for an in-memory or read-only store.
    public func checkpoint() throws {
        guard writer is DatabasePool, !isReadOnly else { return }
        try writer.writeWithoutTransaction { db in
            _ = try db.checkpoint(.truncate)
        }
    }

    /// The schema version this build creates.
    public static var currentSchemaVersion: Int { StoreSchema.version }

    /// The schema version of the open database (`meta.schema_version`).
    public func schemaVersion() throws -> Int {
        try writer.read { db in
            let text = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'schema_version'")
            return text.flatMap { Int($0) } ?? 0
        }
    }

    /// How many rows the main tables hold.
    public func counts() throws -> (documents: Int, findings: Int, tasks: Int, jobs: Int) {
        try writer.read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM findings),
                           (SELECT COUNT(*) FROM tasks), (SELECT COUNT(*) FROM jobs)
                    """)
            guard let row else { return (0, 0, 0, 0) }
            return (row[0], row[1], row[2], row[3])
        }
    }

    /// The key that identifies an agency across years: the name without any white space
    /// (ASCII, full-width, no-break, zero-width), with full-width ASCII forms (`（`, `Ａ`, `１`) folded to
    /// ASCII and Latin letters lower-cased. `nil` when nothing is left.
    public static func agencyKey(_ name: String?) -> String? {
        guard let name else { return nil }
        // Fast path: most names need no change. Bytes that may start a change: ASCII controls,
        // space and capitals; lead bytes of U+0080–U+00BF (C2: NEL, NBSP), U+1680 (E1),
        // U+2000–U+2FFF (E2), U+3000–U+3FFF (E3) and U+F000–U+FFFF (EF: full-width forms, BOM).
        var unchanged = true
        for byte in name.utf8 {
            switch byte {
            case 0x00...0x20, UInt8(ascii: "A")...UInt8(ascii: "Z"), 0xC2, 0xE1, 0xE2, 0xE3, 0xEF:
                unchanged = false
            default:
                continue
            }
            break
        }
        if unchanged { return name.isEmpty ? nil : name }

        var scalars = String.UnicodeScalarView()
        for scalar in name.unicodeScalars {
            if scalar.properties.isWhitespace || scalar == "\u{200B}" || scalar == "\u{FEFF}" { continue }
            var value = scalar.value
            if (0xFF01...0xFF5E).contains(value) { value -= 0xFEE0 }
            if (0x41...0x5A).contains(value) { value += 0x20 }
            if let folded = Unicode.Scalar(value) { scalars.append(folded) }
        }
        return scalars.isEmpty ? nil : String(scalars)
    }
}
