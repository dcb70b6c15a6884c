// Opening a summary store from what `--store` says: a PostgreSQL URL or an SQLite path.

import Foundation
import GongkaiStore
import Logging

/// Opens the store a ``StoreLocation`` names, on the backend it names.
public enum SummaryStores {
    /// Opens (creating and migrating, unless `readOnly`) the store at `location`.
    ///
    /// - `.postgres(url:)` → ``PostgresStore``;
    /// - `.sqlite(path:)` → ``SummaryStore`` (a read-only open requires the file to exist).
    ///
    /// - Throws: ``StoreError`` (or GRDB's `DatabaseError` from SQLite) when the store cannot be
    ///   opened; ``StoreError/Code/invalidLocation`` for a read-only SQLite path with no file.
    public static func open(
        _ location: StoreLocation, readOnly: Bool = false, logger: Logger = Logger(label: "gongkai.store")
    ) throws -> any SummaryStoring {
        switch location {
        case .postgres(let url):
            return try PostgresStore(url: url, readOnly: readOnly, logger: logger)
        case .sqlite(let path):
            if readOnly && !FileManager.default.fileExists(atPath: path) {
                throw StoreError(.invalidLocation, "no summary store at \(path)")
            }
            return try SummaryStore(path: path, readOnly: readOnly)
        }
    }
}
