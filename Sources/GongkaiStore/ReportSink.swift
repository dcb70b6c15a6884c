// Where the report encoder puts values: straight into a prepared SQLite statement, or into an
// array of `DatabaseValue`s.

import GRDB

#if canImport(GRDBSQLite)
    import GRDBSQLite
#endif

/// Receives the values of one row by 0-based column position.
package protocol ReportSink {
    mutating func null(_ index: Int)
    mutating func int(_ index: Int, _ value: Int64)
    mutating func real(_ index: Int, _ value: Double)
    mutating func text(_ index: Int, _ value: String)
}

extension ReportSink {
    @inline(__always)
    package mutating func int(_ index: Int, _ value: Int64?) {
        if let value { int(index, value) } else { null(index) }
    }
    @inline(__always)
    package mutating func real(_ index: Int, _ value: Double?) {
        if let value { real(index, value) } else { null(index) }
    }
    @inline(__always)
    package mutating func text(_ index: Int, _ value: String?) {
        if let value { text(index, value) } else { null(index) }
    }
}

/// Collects the values of one row into an array, for `StatementArguments`.
struct ValuesSink: ReportSink {
    var values: [DatabaseValue]

    init(count: Int) { values = Array(repeating: .null, count: count) }

    mutating func null(_ index: Int) { values[index] = .null }
    mutating func int(_ index: Int, _ value: Int64) { values[index] = value.databaseValue }
    mutating func real(_ index: Int, _ value: Double) { values[index] = value.databaseValue }
    mutating func text(_ index: Int, _ value: String) { values[index] = value.databaseValue }
}

/// A cached statement whose arguments are bound with the SQLite C API.
///
/// `StatementArguments` costs about 0.1 µs per value in generic code, and a report row has
/// ~260. This binds straight into GRDB's prepared statement instead: GRDB is told once that the
/// statement's arguments are set (an empty `setUncheckedArguments`), so its `execute()` and
/// `fetchOne` reset and step the statement with the bindings made here. Where the SQLite module
/// is not importable, it falls back to `StatementArguments`.
///
/// Valid only inside the database access that produced the statement.
struct BoundStatement {
    let statement: Statement
    let parameterCount: Int

    init(_ statement: Statement, parameterCount: Int) {
        self.statement = statement
        self.parameterCount = parameterCount
        #if canImport(GRDBSQLite)
            // Marks the arguments valid and bound, so that GRDB binds nothing itself from now on.
            statement.setUncheckedArguments(StatementArguments())
        #endif
    }

    /// Binds every parameter through `fill`; then run the statement with `execute()` or a fetch.
    func bind(_ fill: (inout BindingSink) -> Void) throws {
        #if canImport(GRDBSQLite)
            let handle = statement.sqliteStatement
            // A statement stepped to completion must be reset before it accepts bindings.
            sqlite3_reset(handle)
            var sink = BindingSink(handle: handle)
            fill(&sink)
            if sink.failure != SQLITE_OK {
                throw DatabaseError(
                    resultCode: ResultCode(rawValue: sink.failure), message: "could not bind arguments",
                    sql: statement.sql)
            }
        #else
            var sink = BindingSink(count: parameterCount)
            fill(&sink)
            statement.setUncheckedArguments(StatementArguments(sink.values))
        #endif
    }
}

#if canImport(GRDBSQLite)
    /// Binds values straight into an SQLite statement (1-based parameters).
    struct BindingSink: ReportSink {
        let handle: OpaquePointer
        var failure: Int32 = SQLITE_OK

        /// SQLite copies the text before the bind returns (`SQLITE_TRANSIENT`).
        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

        init(handle: OpaquePointer) { self.handle = handle }

        @inline(__always)
        private mutating func check(_ code: Int32) {
            if code != SQLITE_OK && failure == SQLITE_OK { failure = code }
        }

        mutating func null(_ index: Int) { check(sqlite3_bind_null(handle, Int32(index + 1))) }
        mutating func int(_ index: Int, _ value: Int64) { check(sqlite3_bind_int64(handle, Int32(index + 1), value)) }
        mutating func real(_ index: Int, _ value: Double) {
            check(sqlite3_bind_double(handle, Int32(index + 1), value))
        }
        mutating func text(_ index: Int, _ value: String) {
            var value = value
            let handle = handle
            let code = value.withUTF8 { bytes in
                bytes.withMemoryRebound(to: CChar.self) { chars in
                    guard let base = chars.baseAddress else {
                        return sqlite3_bind_text(handle, Int32(index + 1), "", 0, Self.transient)
                    }
                    return sqlite3_bind_text(handle, Int32(index + 1), base, Int32(chars.count), Self.transient)
                }
            }
            check(code)
        }
    }
#else
    typealias BindingSink = ValuesSink
#endif
