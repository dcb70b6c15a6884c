// Plain SQL against a PostgreSQL store or server, for this package's tests and scripts.

import Foundation
import GongkaiStore
import PostgresNIO

extension PostgresStore {
    /// Runs one statement in its own transaction.
    package func execute(sql: String) throws {
        _ = try withSession { try $0.execute(sql) }
    }

    /// The rows of a query, every value as text the way SQLite's would print it (integers in
    /// decimal, doubles in Swift's shortest form, booleans as `1`/`0`), NULL as `nil`.
    package func textRows(sql: String) throws -> [[String?]] {
        try withSession { session in
            try session.query(sql).map { row in
                try row.map { cell -> String? in
                    switch cell.dataType {
                    case .int2, .int4, .int8: return try cell.decode(Int64?.self).map { String($0) }
                    case .float4, .float8: return try cell.decode(Double?.self).map { String($0) }
                    case .bool: return try cell.decode(Bool?.self).map { $0 ? "1" : "0" }
                    default: return try cell.decode(String?.self)
                    }
                }
            }
        }
    }

    /// Runs one statement on the server at `url`, outside any transaction (`CREATE DATABASE`,
    /// `DROP DATABASE`), on a connection of its own.
    package static func administer(url: String, sql: String) throws {
        let configuration = try PostgresURL.configuration(url, readOnly: false)
        let logger = Logger(label: "gongkai.store.admin")
        let connection: PostgresConnection
        do {
            connection = try PostgresConnection.connect(
                on: PostgresConnection.defaultEventLoopGroup.any(), configuration: configuration, id: 0, logger: logger
            ).wait()
        } catch {
            throw PostgresSession.storeError(error)
        }
        defer { try? connection.close().wait() }
        try PostgresSession(connection: connection, logger: logger).execute(sql)
    }

    /// Creates an empty database named `prefix` + a random suffix on the server at `url`, for one
    /// test; returns its URL (the server's, with the new database) and a closure that drops it.
    package static func createScratchDatabase(on url: String, prefix: String) throws -> (url: String, drop: @Sendable () -> Void) {
        let name = prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        guard var components = URLComponents(string: url) else {
            throw StoreError(.invalidLocation, "\(StoreLocation.postgres(url: url)): not a URL")
        }
        try administer(url: url, sql: "CREATE DATABASE \(name)")
        components.path = "/" + name
        guard let databaseURL = components.string else {
            throw StoreError(.invalidLocation, "\(StoreLocation.postgres(url: url)): cannot name database \(name)")
        }
        return (databaseURL, { try? administer(url: url, sql: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") })
    }
}
