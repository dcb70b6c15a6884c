// A Report ⇄ one wide `reports` row (plus `findings` rows).

import Foundation
import GRDB
import GongkaiCore

/// Encodes a `Report` as the values of `StoreSchema.reportInsertColumns`, and decodes it back.
///
/// Column positions are computed once from the frozen code lists; the hot path binds each value
/// straight into the cached insert statement (see `ReportSink`) and builds no SQL.
package enum ReportRow {
    // MARK: Column layout

    package static let columnCount = StoreSchema.reportInsertColumns.count
    package static let metadataCount = StoreSchema.metadataColumns.count
    package static let table3Offset = metadataCount
    package static let table4Offset = table3Offset + StoreSchema.table3CellColumns.count
    package static let table2Offset = table4Offset + StoreSchema.table4CellColumns.count

    package typealias Meta = StoreSchema.Meta

    /// For each frozen table 3 row: the model's row, if the model has it.
    package static let table3Rows: [Table3Row?] = StoreSchema.table3Rows.map { Table3Row(code: $0) }
    /// For each frozen table 3 column: the model's column.
    package static let table3Columns: [Table3Column?] = StoreSchema.table3Columns.map { Table3Column(code: $0) }
    /// For each frozen table 4 group and column: the model's.
    package static let table4Groups: [Table4Group?] = StoreSchema.table4Groups.map { code in
        Table4Group.allCases.first { $0.code == code }
    }
    package static let table4Columns: [Table4Column?] = StoreSchema.table4Columns.map { code in
        Table4Column.allCases.first { $0.code == code }
    }

    /// Table 2 slot index by row code, then field code.
    package static let table2SlotIndex: [String: [String: Int]] = {
        var index: [String: [String: Int]] = [:]
        for (i, slot) in StoreSchema.table2Slots.enumerated() { index[slot.row, default: [:]][slot.field] = i }
        return index
    }()

    /// Column offset (within the table 2 block) of each slot.
    package static let table2SlotOffsets: [Int] = {
        var offsets: [Int] = []
        var offset = 0
        for slot in StoreSchema.table2Slots {
            offsets.append(offset)
            offset += slot.isAmount ? 3 : 1
        }
        return offsets
    }()

    // MARK: Encoding

    /// Whether a report of this status gets a document row. `io_error`, `too_large` and
    /// `quarantined` depend on the run (the disk, the size limit, the workers), not on the
    /// content, so they are recorded on the task only: a later run may still read the content.
    package static func storesDocument(_ report: Report) -> Bool {
        switch report.status {
        case .ioError, .tooLarge, .quarantined: return false
        default: return !report.sha256.isEmpty
        }
    }

    /// The content hash in canonical form (lower-case hex), or `nil` if it is not 64 hex digits.
    package static func canonicalHash(_ text: String) -> String? {
        let utf8 = text.utf8
        guard utf8.count == 64 else { return nil }
        var hasUpper = false
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): continue
            case UInt8(ascii: "A")...UInt8(ascii: "F"): hasUpper = true
            default: return nil
            }
        }
        return hasUpper ? text.lowercased() : text
    }

    /// The canonical hash of each result's document, `nil` for results stored on the task only.
    ///
    /// - Throws: ``StoreError`` ``StoreError/Code/invalidHash`` naming the first result whose hash is
    ///   not 64 hexadecimal digits: a commit checks the whole batch before writing anything.
    package static func documentHashes(_ results: [(task: Int64, report: Report)]) throws -> [String?] {
        var hashes: [String?] = []
        hashes.reserveCapacity(results.count)
        for (task, report) in results {
            guard storesDocument(report) else {
                hashes.append(nil)
                continue
            }
            guard let canonical = canonicalHash(report.sha256) else {
                throw StoreError(.invalidHash, "task \(task): sha256 \"\(report.sha256)\" is not 64 hex digits")
            }
            hashes.append(canonical)
        }
        return hashes
    }

    /// Binds the values of one report to the columns of `StoreSchema.reportInsertColumns`
    /// (0-based positions), every column exactly once or more (the last bind wins).
    ///
    /// Generic over the sink so that the commit path binds straight into the prepared SQLite
    /// statement, with no intermediate array of values.
    package static func encode<Sink: ReportSink>(
        _ report: Report, sha256: String, task: Int64, storedAt: String, into sink: inout Sink
    ) {
        func at(_ column: Meta) -> Int { column.rawValue }
        sink.text(at(.sha256), sha256)
        sink.text(at(.source), report.source)
        sink.int(at(.byteCount), Int64(report.byteCount))
        sink.text(at(.status), report.status.rawValue)
        sink.text(at(.statusMessage), report.statusMessage)
        sink.text(at(.format), report.format)
        sink.text(at(.encoding), report.encoding)
        sink.text(at(.layout), report.layout.rawValue)
        sink.int(at(.year), report.year.map(Int64.init))
        sink.text(at(.agency), report.agency)
        sink.text(at(.agencyKey), SummaryStore.agencyKey(report.agency))
        sink.text(at(.region), report.region)
        sink.text(at(.published), report.published.map(isoDate))
        sink.text(at(.sections), sectionsText(report.sections))
        sink.text(at(.table2Template), report.table2?.template.rawValue)
        sink.text(at(.table3Template), report.table3?.template.rawValue)
        sink.int(at(.t3Present), table3Mask(report.table3))
        sink.int(at(.hasTable4), report.table4 != nil ? 1 : 0)
        let narrative = report.narrative
        sink.int(at(.nProactiveItems), narrative.proactiveItems)
        sink.int(at(.nApplicationsReceived), narrative.applicationsReceived)
        sink.int(at(.nReviews), narrative.reviews)
        sink.int(at(.nLawsuits), narrative.lawsuits)
        sink.int(at(.nPenalties), narrative.penalties)
        sink.int(at(.nLicences), narrative.licences)
        sink.real(at(.nProcessingFees), tenThousandYuan(narrative.processingFees))
        sink.real(at(.nAdminFees), tenThousandYuan(narrative.adminFees))
        sink.text(at(.nApplicationsMatched), narrative.applicationsMatched)
        var errors: Int64 = 0
        var warnings: Int64 = 0
        for finding in report.findings {
            switch finding.severity {
            case .error: errors += 1
            case .warning: warnings += 1
            case .info: break
            }
        }
        sink.int(at(.errorCount), errors)
        sink.int(at(.warningCount), warnings)
        sink.int(at(.firstJobId), task)  // bound to `(SELECT job_id FROM tasks WHERE id = ?)`
        sink.int(at(.firstTaskId), task)
        sink.text(at(.storedAt), storedAt)

        // Table 3, row-major.
        var index = table3Offset
        if let table3 = report.table3, table3.cells.count == Table3Row.allCases.count * Table3Column.allCases.count {
            table3.cells.withUnsafeBufferPointer { cells in
                for row in table3Rows {
                    for column in table3Columns {
                        if let row, let column {
                            sink.int(index, cells[row.rawValue * 7 + column.rawValue])
                        } else {
                            sink.null(index)
                        }
                        index += 1
                    }
                }
            }
        } else {
            for i in index..<table4Offset { sink.null(i) }
        }

        // Table 4, group-major.
        index = table4Offset
        if let table4 = report.table4, table4.cells.count == 15 {
            for group in table4Groups {
                for column in table4Columns {
                    if let group, let column {
                        sink.int(index, table4.cells[group.rawValue * 5 + column.rawValue])
                    } else {
                        sink.null(index)
                    }
                    index += 1
                }
            }
        } else {
            for i in index..<table2Offset { sink.null(i) }
        }

        // Table 2: every column NULL, then the fields the table has.
        for i in table2Offset..<columnCount { sink.null(i) }
        var mask: Int64 = 0
        if let table2 = report.table2 {
            let expected = table2LayoutSlots(table2.template)
            for (i, field) in table2.fields.enumerated() {
                // The fields usually come in the template's order: compare before hashing.
                let slot: Int
                if i < expected.count, expected[i].row == field.row, expected[i].field == field.field {
                    slot = expected[i].slot
                } else if let found = table2SlotIndex[field.row]?[field.field] {
                    slot = found
                } else {
                    // A field neither template has cannot be stored; `StoreSchemaTests` checks there is none.
                    continue
                }
                mask |= 1 << Int64(slot)
                let offset = table2Offset + table2SlotOffsets[slot]
                if StoreSchema.table2Slots[slot].isAmount {
                    sink.real(offset, tenThousandYuan(field.value.amount))
                    sink.text(offset + 1, field.value.written)
                    sink.text(offset + 2, field.value.unit)
                } else {
                    sink.int(offset, field.value.count)
                }
            }
        }
        sink.int(at(.t2Present), mask)
    }

    /// The slots of each template's fields, in the template's order.
    private static let table2Layout2021 = layoutSlots(.y2021)
    private static let table2Layout2019 = layoutSlots(.y2019)

    private static func layoutSlots(_ template: Template) -> [(row: String, field: String, slot: Int)] {
        Table2.layout(of: template).flatMap { row, fields in
            fields.compactMap { field in table2SlotIndex[row]?[field].map { (row, field, $0) } }
        }
    }

    private static func table2LayoutSlots(_ template: Template) -> [(row: String, field: String, slot: Int)] {
        switch template {
        case .y2021: return table2Layout2021
        case .y2019: return table2Layout2019
        }
    }

    private static func tenThousandYuan(_ amount: Amount?) -> Double? {
        amount.map { Double($0.micros) / 1_000_000 }
    }

    private static func sectionsText(_ sections: [Int]) -> String {
        if sections == [1, 2, 3, 4, 5, 6] { return "1,2,3,4,5,6" }
        return sections.map(String.init).joined(separator: ",")
    }

    private static func table3Mask(_ table3: Table3?) -> Int64 {
        guard let table3 else { return 0 }
        var mask: Int64 = 0
        for (bit, row) in table3Rows.enumerated() {
            if let row, row.rawValue < table3.present.count, table3.present[row.rawValue] { mask |= 1 << Int64(bit) }
        }
        return mask
    }

    /// `2023-01-05`, with a four-digit year.
    package static func isoDate(_ date: ReportDate) -> String {
        func pad(_ v: Int, _ width: Int) -> String {
            let digits = String(v)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
    }

    package static func parseISODate(_ text: String) -> ReportDate? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else {
            return nil
        }
        return ReportDate(year: year, month: month, day: day)
    }

    /// A finding's cell paths as a JSON array.
    package static func cellsJSON(_ cells: [String]) -> String {
        var out = "["
        for (i, cell) in cells.enumerated() {
            if i > 0 { out += "," }
            JSONText.appendString(cell, to: &out)
        }
        return out + "]"
    }

    // MARK: Decoding

    private static func amount(_ value: Double?) -> Amount? {
        value.map { Amount(micros: Int64(($0 * 1_000_000).rounded())) }
    }

    /// Rebuilds a report from a row of `StoreSchema.selectReportSQL` (the columns of
    /// `StoreSchema.reportInsertColumns`, in order) and its findings.
    package static func decode<Source: ReportSource>(_ row: Source, findings: [Finding]) throws -> Report {
        func at(_ column: Meta) -> Int { column.rawValue }
        let sha256 = try row.text(at(.sha256)) ?? ""
        func corrupt(_ what: String) -> StoreError { StoreError(.corruptRow, "report \(sha256): \(what)") }
        func required<T>(_ value: T?, _ column: Meta) throws -> T {
            guard let value else { throw corrupt("\(column.column) is NULL") }
            return value
        }

        let statusText = try required(row.text(at(.status)), .status)
        guard let status = ReportStatus(rawValue: statusText) else { throw corrupt("status \(statusText)") }
        var report = Report(
            source: try required(row.text(at(.source)), .source), sha256: sha256,
            byteCount: Int(try required(row.int(at(.byteCount)), .byteCount)), status: status,
            statusMessage: try row.text(at(.statusMessage)))
        report.format = try required(row.text(at(.format)), .format)
        report.encoding = try row.text(at(.encoding))
        let layoutText = try required(row.text(at(.layout)), .layout)
        guard let layout = Layout(rawValue: layoutText) else { throw corrupt("layout \(layoutText)") }
        report.layout = layout
        report.year = try row.int(at(.year)).map { Int($0) }
        report.agency = try row.text(at(.agency))
        report.region = try row.text(at(.region))
        report.published = try row.text(at(.published)).flatMap(parseISODate)
        let sections = try required(row.text(at(.sections)), .sections)
        report.sections = sections.split(separator: ",").compactMap { Int($0) }

        let table2Template = try row.text(at(.table2Template))
        let table3Template = try row.text(at(.table3Template))
        let table3Mask = try required(row.int(at(.t3Present)), .t3Present)
        let hasTable4 = try required(row.int(at(.hasTable4)), .hasTable4) != 0
        let table2Mask = try required(row.int(at(.t2Present)), .t2Present)

        var narrative = Narrative()
        narrative.proactiveItems = try row.int(at(.nProactiveItems))
        narrative.applicationsReceived = try row.int(at(.nApplicationsReceived))
        narrative.reviews = try row.int(at(.nReviews))
        narrative.lawsuits = try row.int(at(.nLawsuits))
        narrative.penalties = try row.int(at(.nPenalties))
        narrative.licences = try row.int(at(.nLicences))
        narrative.processingFees = amount(try row.real(at(.nProcessingFees)))
        narrative.adminFees = amount(try row.real(at(.nAdminFees)))
        narrative.applicationsMatched = try row.text(at(.nApplicationsMatched))
        report.narrative = narrative

        if let table3Template {
            guard let template = Template(rawValue: table3Template) else { throw corrupt("template \(table3Template)") }
            var table3 = Table3(template: template)
            for (bit, row3) in table3Rows.enumerated() {
                guard let row3 else { continue }
                if (table3Mask >> Int64(bit)) & 1 == 1 { table3.present[row3.rawValue] = true }
                for (c, column) in table3Columns.enumerated() {
                    guard let column else { continue }
                    table3[row3, column] = try row.int(table3Offset + bit * StoreSchema.table3Columns.count + c)
                }
            }
            report.table3 = table3
        }

        if hasTable4 {
            var table4 = Table4()
            for (g, group) in table4Groups.enumerated() {
                for (c, column) in table4Columns.enumerated() {
                    guard let group, let column else { continue }
                    table4[group, column] = try row.int(table4Offset + g * StoreSchema.table4Columns.count + c)
                }
            }
            report.table4 = table4
        }

        if let table2Template {
            guard let template = Template(rawValue: table2Template) else { throw corrupt("template \(table2Template)") }
            // The template's own fields in table order, then any other field the row holds.
            var order: [Int] = []
            for (rowCode, fields) in Table2.layout(of: template) {
                for field in fields {
                    if let slot = table2SlotIndex[rowCode]?[field] { order.append(slot) }
                }
            }
            order += StoreSchema.table2Slots.indices.filter { !order.contains($0) }
            var fields: [Table2.Field] = []
            for slot in order where (table2Mask >> Int64(slot)) & 1 == 1 {
                let info = StoreSchema.table2Slots[slot]
                let index = table2Offset + table2SlotOffsets[slot]
                let value: Table2Value
                if info.isAmount {
                    value = .amount(amount(try row.real(index)), written: try row.text(index + 1), unit: try row.text(index + 2))
                } else {
                    value = .count(try row.int(index))
                }
                fields.append(Table2.Field(row: info.row, field: info.field, value: value))
            }
            report.table2 = Table2(template: template, fields: fields)
        }

        report.findings = findings
        return report
    }
}

/// Gives the values of one stored `reports` row by 0-based column position: a GRDB `Row`, or a
/// PostgreSQL row. `nil` is SQL NULL.
package protocol ReportSource {
    func int(_ index: Int) throws -> Int64?
    func real(_ index: Int) throws -> Double?
    func text(_ index: Int) throws -> String?
}

extension Row: ReportSource {
    package func int(_ index: Int) throws -> Int64? { self[index] }
    package func real(_ index: Int) throws -> Double? { self[index] }
    package func text(_ index: Int) throws -> String? { self[index] }
}
