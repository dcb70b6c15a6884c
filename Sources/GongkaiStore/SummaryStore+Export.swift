// Streaming a job's results, and writing them as NDJSON or CSV.

import Foundation
import GRDB
import GongkaiCore

/// One task of a job with the key figures of its document, as `gongkai results` exports it.
public struct ResultRow: Sendable, Hashable {
    public var task: Int64
    public var path: String
    public var state: TaskState
    /// The result status (`ok`, `not_report`, `io_error`, …); `nil` while pending.
    public var status: String?
    public var statusMessage: String?
    /// The document's content hash; `nil` for results without a document.
    public var sha256: String?
    /// Whether the document was first stored through another task (same content seen before).
    public var duplicate: Bool?
    public var agency: String?
    public var region: String?
    public var year: Int?
    /// ISO date, `2023-01-05`.
    public var published: String?
    public var errorCount: Int?
    public var warningCount: Int?
    /// `table3.new.total`
    public var applicationsNew: Int64?
    /// `table3.carried_over.total`
    public var carriedOver: Int64?
    /// `table3.granted.total`
    public var granted: Int64?
    /// `table3.results_total.total`
    public var resultsTotal: Int64?
    /// `table3.carried_forward.total`
    public var carriedForward: Int64?
    /// `table4.review.total`
    public var reviews: Int64?
    /// `table4.litigation_direct.total` + `table4.litigation_after_review.total` (either present).
    public var lawsuits: Int64?

    /// Field names, in export order: the NDJSON keys and the CSV header.
    public static let fieldNames = [
        "task", "path", "state", "status", "status_message", "sha256", "duplicate", "agency", "region", "year",
        "published", "error_count", "warning_count", "applications_new", "carried_over", "granted",
        "results_total", "carried_forward", "reviews", "lawsuits",
    ]

    package init(
        task: Int64, path: String, state: TaskState, status: String?, statusMessage: String?, sha256: String?,
        duplicate: Bool?, agency: String?, region: String?, year: Int?, published: String?, errorCount: Int?,
        warningCount: Int?, applicationsNew: Int64?, carriedOver: Int64?, granted: Int64?, resultsTotal: Int64?,
        carriedForward: Int64?, reviews: Int64?, lawsuits: Int64?
    ) {
        self.task = task
        self.path = path
        self.state = state
        self.status = status
        self.statusMessage = statusMessage
        self.sha256 = sha256
        self.duplicate = duplicate
        self.agency = agency
        self.region = region
        self.year = year
        self.published = published
        self.errorCount = errorCount
        self.warningCount = warningCount
        self.applicationsNew = applicationsNew
        self.carriedOver = carriedOver
        self.granted = granted
        self.resultsTotal = resultsTotal
        self.carriedForward = carriedForward
        self.reviews = reviews
        self.lawsuits = lawsuits
    }

    private enum Field {
        case text(String?)
        case int(Int64?)
        case bool(Bool?)
    }

    private var fields: [Field] {
        [
            .int(task), .text(path), .text(state.rawValue), .text(status), .text(statusMessage), .text(sha256),
            .bool(duplicate), .text(agency), .text(region), .int(year.map(Int64.init)), .text(published),
            .int(errorCount.map(Int64.init)), .int(warningCount.map(Int64.init)), .int(applicationsNew),
            .int(carriedOver), .int(granted), .int(resultsTotal), .int(carriedForward), .int(reviews),
            .int(lawsuits),
        ]
    }

    /// One JSON object on one line (no line terminator); absent values are `null`.
    public var jsonLine: String {
        var out = "{"
        for (i, (name, field)) in zip(Self.fieldNames, fields).enumerated() {
            if i > 0 { out += "," }
            JSONText.appendString(name, to: &out)
            out += ":"
            switch field {
            case .text(let v): if let v { JSONText.appendString(v, to: &out) } else { out += "null" }
            case .int(let v): out += v.map { String($0) } ?? "null"
            case .bool(let v): out += v.map { $0 ? "true" : "false" } ?? "null"
            }
        }
        return out + "}"
    }

    /// The CSV header record (no line terminator).
    public static var csvHeader: String { fieldNames.map(CSV.field).joined(separator: ",") }

    /// One CSV record (no line terminator); absent values are empty fields.
    public var csvRecord: String {
        fields.map { field in
            switch field {
            case .text(let v): return v.map(CSV.field) ?? ""
            case .int(let v): return v.map { String($0) } ?? ""
            case .bool(let v): return v.map { $0 ? "true" : "false" } ?? ""
            }
        }.joined(separator: ",")
    }
}

/// CSV as RFC 4180 writes it.
public enum CSV {
    /// One field: quoted when it holds a comma, a double quote, a line break or leading or
    /// trailing space, with inner quotes doubled. Chinese text passes through as UTF-8.
    public static func field(_ text: String) -> String {
        var needsQuotes = false
        for byte in text.utf8
        where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
        {
            needsQuotes = true
            break
        }
        if let first = text.unicodeScalars.first, first.properties.isWhitespace { needsQuotes = true }
        if let last = text.unicodeScalars.last, last.properties.isWhitespace { needsQuotes = true }
        guard needsQuotes else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The record terminator RFC 4180 prescribes.
    public static let lineTerminator = "\r\n"
}

/// The formats `exportResults` writes.
public enum ExportFormat: String, Sendable, Hashable, CaseIterable {
    /// One JSON object per line, `\n`-terminated.
    case ndjson
    /// RFC 4180 CSV with a header record, `\r\n`-terminated.
    case csv
}

extension SummaryStore {
    /// Streams a job's tasks with their documents' key figures, in task order, one row at a
    /// time: memory stays flat whatever the job's size.
    ///
    /// `body` runs on the calling thread inside one read transaction (a consistent snapshot;
    /// commits go on meanwhile). It must not call back into the store.
    public func results(job: Int64, _ body: (ResultRow) throws -> Void) throws {
        try writer.read { db in
            let rows = try Row.fetchCursor(db, sql: StoreSchema.resultsSQL(job: "?"), arguments: [job])
            while let row = try rows.next() {
                let stateText: String = row[2]
                guard let state = TaskState(rawValue: stateText) else {
                    throw StoreError(.corruptRow, "task \(row[0] as Int64) has state \(stateText)")
                }
                try body(
                    ResultRow(
                        task: row[0], path: row[1], state: state, status: row[3], statusMessage: row[4],
                        sha256: row[5], duplicate: row[6], agency: row[7], region: row[8], year: row[9],
                        published: row[10], errorCount: row[11], warningCount: row[12], applicationsNew: row[13],
                        carriedOver: row[14], granted: row[15], resultsTotal: row[16], carriedForward: row[17],
                        reviews: row[18], lawsuits: row[19]))
            }
        }
    }
}
