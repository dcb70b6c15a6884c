// The binary codec of GongkaiCore.Report carried in RESULT messages. Layout: docs/wire-protocol.md §6.

import GongkaiCore

/// The first byte of every encoded report.
public enum CodecVersion: UInt8, Sendable, Hashable {
    case v1 = 1

    /// The version ``ReportCodec/encode(_:)`` writes.
    public static let current = CodecVersion.v1
}

/// A compact binary encoding of every stored field of `GongkaiCore.Report`.
///
/// Integers are LEB128 varints (zigzag for signed values), strings a varint length plus
/// UTF-8, optionals a presence byte (0/1), enums their stable JSON codes as strings,
/// nullable cell arrays a count, a presence bitmap and the present values. Decoding is total:
/// any input either yields a well-formed `Report` (table shapes checked, so subscripts cannot
/// trap) or throws ``WireError``. Encoding never fails: strings and lists over the limits in
/// ``Limits`` are cut to fit (at a character boundary), so every encoded report decodes.
public enum ReportCodec {
    /// Per-field limits (bytes for strings, elements for lists).
    public enum Limits {
        /// `source` (a path or URL).
        public static let source = 16 << 10
        /// Short codes: sha256, format, encoding, enum codes, cell paths, table 2 names, units.
        public static let code = 256
        /// Names: agency, region, table 2 `written`.
        public static let name = 4096
        /// Free text: statusMessage, finding messages.
        public static let text = 64 << 10
        public static let sections = 1024
        public static let table2Fields = 4096
        /// Table 3 and table 4 cells (the model fixes the exact counts: 175 and 15).
        public static let cells = 4096
        public static let findings = 65536
        public static let findingCells = 1024
    }

    /// A guess of the encoded size, for `reserveCapacity`.
    public static func estimatedSize(_ report: Report) -> Int {
        var size = 200 + report.source.utf8.count + (report.statusMessage?.utf8.count ?? 0)
        if let table2 = report.table2 { size += table2.fields.count * 40 }
        if report.table3 != nil { size += 240 }
        for finding in report.findings { size += 24 + finding.message.utf8.count + finding.cells.count * 24 }
        return size
    }

    /// Encodes a report into a new buffer.
    public static func encode(_ report: Report) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(estimatedSize(report))
        encode(report, into: &bytes)
        return bytes
    }

    /// Appends the encoding of a report to `bytes`.
    public static func encode(_ report: Report, into bytes: inout [UInt8]) {
        var w = WireWriter(appendingTo: [])
        swap(&w.bytes, &bytes)
        defer { swap(&w.bytes, &bytes) }

        w.u8(CodecVersion.current.rawValue)
        w.string(report.source, limit: Limits.source)
        w.string(report.sha256, limit: Limits.code)
        w.signedVarint(Int64(report.byteCount))
        w.string(report.status.rawValue, limit: Limits.code)
        w.optionalString(report.statusMessage, limit: Limits.text)
        w.string(report.format, limit: Limits.code)
        w.optionalString(report.encoding, limit: Limits.code)
        w.string(report.layout.rawValue, limit: Limits.code)
        w.optionalSigned(report.year.map(Int64.init))
        w.optionalString(report.agency, limit: Limits.name)
        w.optionalString(report.region, limit: Limits.name)
        if let date = report.published {
            w.u8(1)
            w.signedVarint(Int64(date.year))
            w.signedVarint(Int64(date.month))
            w.signedVarint(Int64(date.day))
        } else {
            w.u8(0)
        }
        let sections = report.sections.prefix(Limits.sections)
        w.varint(UInt64(sections.count))
        for section in sections { w.signedVarint(Int64(section)) }

        if let table2 = report.table2 {
            w.u8(1)
            w.string(table2.template.rawValue, limit: Limits.code)
            let fields = table2.fields.prefix(Limits.table2Fields)
            w.varint(UInt64(fields.count))
            for field in fields {
                w.string(field.row, limit: Limits.code)
                w.string(field.field, limit: Limits.code)
                let value = field.value
                w.u8(value.kind == .count ? 0 : 1)
                w.optionalSigned(value.count)
                w.optionalSigned(value.amount?.micros)
                w.optionalString(value.written, limit: Limits.name)
                w.optionalString(value.unit, limit: Limits.code)
            }
        } else {
            w.u8(0)
        }

        if let table3 = report.table3 {
            w.u8(1)
            w.string(table3.template.rawValue, limit: Limits.code)
            w.nullableCells(table3.cells)
            w.flags(table3.present)
        } else {
            w.u8(0)
        }

        if let table4 = report.table4 {
            w.u8(1)
            w.nullableCells(table4.cells)
        } else {
            w.u8(0)
        }

        let n = report.narrative
        w.optionalSigned(n.proactiveItems)
        w.optionalSigned(n.applicationsReceived)
        w.optionalSigned(n.reviews)
        w.optionalSigned(n.lawsuits)
        w.optionalSigned(n.penalties)
        w.optionalSigned(n.licences)
        w.optionalSigned(n.processingFees?.micros)
        w.optionalSigned(n.adminFees?.micros)
        w.optionalString(n.applicationsMatched, limit: Limits.code)

        let findings = report.findings.prefix(Limits.findings)
        w.varint(UInt64(findings.count))
        for finding in findings {
            w.string(finding.rule.rawValue, limit: Limits.code)
            let cells = finding.cells.prefix(Limits.findingCells)
            w.varint(UInt64(cells.count))
            for cell in cells { w.string(cell, limit: Limits.code) }
            w.string(finding.message, limit: Limits.text)
            w.optionalDouble(finding.found)
            w.optionalDouble(finding.expected)
        }
    }

    /// Decodes a report; the bytes must hold exactly one.
    ///
    /// - Throws: ``WireError/unsupportedVersion(_:)`` for another ``CodecVersion``;
    ///   ``WireError/malformed(_:)`` for an unknown status, layout, template or rule code, a
    ///   table of the wrong shape or trailing bytes; ``WireError/truncated(_:)``;
    ///   ``WireError/tooLarge(field:size:limit:)``.
    public static func decode(_ bytes: [UInt8]) throws(WireError) -> Report {
        var r = WireReader(bytes)
        let version = try r.u8("report.codecVersion")
        guard version == CodecVersion.v1.rawValue else { throw WireError.unsupportedVersion(Int(version)) }

        let source = try r.string("report.source", limit: Limits.source)
        let sha256 = try r.string("report.sha256", limit: Limits.code)
        let byteCount = try r.int("report.byteCount")
        let statusCode = try r.string("report.status", limit: Limits.code)
        guard let status = ReportStatus(rawValue: statusCode) else {
            throw WireError.malformed("unknown report status \"\(statusCode)\"")
        }
        var report = Report(source: source, sha256: sha256, byteCount: byteCount, status: status)
        report.statusMessage = try r.optionalString("report.statusMessage", limit: Limits.text)
        report.format = try r.string("report.format", limit: Limits.code)
        report.encoding = try r.optionalString("report.encoding", limit: Limits.code)
        let layoutCode = try r.string("report.layout", limit: Limits.code)
        guard let layout = Layout(rawValue: layoutCode) else { throw WireError.malformed("unknown layout \"\(layoutCode)\"") }
        report.layout = layout
        if try r.bool("report.year?") { report.year = try r.int("report.year") }
        report.agency = try r.optionalString("report.agency", limit: Limits.name)
        report.region = try r.optionalString("report.region", limit: Limits.name)
        if try r.bool("report.published?") {
            let year = try r.int("report.published.year")
            let month = try r.int("report.published.month")
            let day = try r.int("report.published.day")
            report.published = ReportDate(year: year, month: month, day: day)
        }
        let sectionCount = try r.count("report.sections", limit: Limits.sections)
        if sectionCount > 0 {
            var sections: [Int] = []
            sections.reserveCapacity(sectionCount)
            for _ in 0..<sectionCount { sections.append(try r.int("report.sections")) }
            report.sections = sections
        }

        if try r.bool("report.table2?") {
            var table2 = Table2(template: try r.template("table2.template"))
            let fieldCount = try r.count("table2.fields", limit: Limits.table2Fields)
            table2.fields.reserveCapacity(fieldCount)
            for _ in 0..<fieldCount {
                let row = try r.string("table2.row", limit: Limits.code)
                let name = try r.string("table2.field", limit: Limits.code)
                var value = Table2Value.count(nil)
                switch try r.u8("table2.kind") {
                case 0: value.kind = .count
                case 1: value.kind = .amount
                case let other: throw WireError.malformed("unknown table 2 value kind \(other)")
                }
                value.count = try r.optionalSigned("table2.count")
                value.amount = try r.optionalSigned("table2.amount").map(Amount.init(micros:))
                value.written = try r.optionalString("table2.written", limit: Limits.name)
                value.unit = try r.optionalString("table2.unit", limit: Limits.code)
                table2.fields.append(Table2.Field(row: row, field: name, value: value))
            }
            report.table2 = table2
        }

        if try r.bool("report.table3?") {
            var table3 = Table3(template: try r.template("table3.template"))
            try r.nullableCells(into: &table3.cells, "table3.cells")
            try r.flags(into: &table3.present, "table3.present")
            report.table3 = table3
        }

        if try r.bool("report.table4?") {
            var table4 = Table4()
            try r.nullableCells(into: &table4.cells, "table4.cells")
            report.table4 = table4
        }

        var n = Narrative()
        n.proactiveItems = try r.optionalSigned("narrative.proactiveItems")
        n.applicationsReceived = try r.optionalSigned("narrative.applicationsReceived")
        n.reviews = try r.optionalSigned("narrative.reviews")
        n.lawsuits = try r.optionalSigned("narrative.lawsuits")
        n.penalties = try r.optionalSigned("narrative.penalties")
        n.licences = try r.optionalSigned("narrative.licences")
        n.processingFees = try r.optionalSigned("narrative.processingFees").map(Amount.init(micros:))
        n.adminFees = try r.optionalSigned("narrative.adminFees").map(Amount.init(micros:))
        n.applicationsMatched = try r.optionalString("narrative.applicationsMatched", limit: Limits.code)
        report.narrative = n

        let findingCount = try r.count("report.findings", limit: Limits.findings)
        if findingCount > 0 {
            var findings: [Finding] = []
            findings.reserveCapacity(findingCount)
            for _ in 0..<findingCount {
                let code = try r.string("finding.rule", limit: Limits.code)
                guard let rule = Rule(rawValue: code) else { throw WireError.malformed("unknown rule code \"\(code)\"") }
                let cellCount = try r.count("finding.cells", limit: Limits.findingCells)
                var cells: [String] = []
                cells.reserveCapacity(cellCount)
                for _ in 0..<cellCount { cells.append(try r.string("finding.cell", limit: Limits.code)) }
                let message = try r.string("finding.message", limit: Limits.text)
                let found = try r.optionalDouble("finding.found")
                let expected = try r.optionalDouble("finding.expected")
                findings.append(Finding(rule: rule, cells: cells, message: message, found: found, expected: expected))
            }
            report.findings = findings
        }

        try r.expectEnd("report")
        return report
    }
}

// MARK: - Report codec field helpers

extension WireWriter {
    @inline(__always) mutating func optionalString(_ value: String?, limit: Int) {
        if let value {
            u8(1)
            string(value, limit: limit)
        } else {
            u8(0)
        }
    }

    @inline(__always) mutating func optionalSigned(_ value: Int64?) {
        if let value {
            u8(1)
            signedVarint(value)
        } else {
            u8(0)
        }
    }

    @inline(__always) mutating func optionalDouble(_ value: Double?) {
        if let value {
            u8(1)
            double(value)
        } else {
            u8(0)
        }
    }

    /// count, presence bitmap (bit i of byte i/8, LSB first), then the present values.
    mutating func nullableCells(_ cells: [Int64?]) {
        let count = min(cells.count, ReportCodec.Limits.cells)
        varint(UInt64(count))
        var byte: UInt8 = 0
        for index in 0..<count {
            if cells[index] != nil { byte |= 1 << UInt8(index & 7) }
            if index & 7 == 7 {
                u8(byte)
                byte = 0
            }
        }
        if count & 7 != 0 { u8(byte) }
        for index in 0..<count {
            if let value = cells[index] { signedVarint(value) }
        }
    }

    /// count, then a bitmap like ``nullableCells(_:)``.
    mutating func flags(_ values: [Bool]) {
        let count = min(values.count, ReportCodec.Limits.cells)
        varint(UInt64(count))
        var byte: UInt8 = 0
        for index in 0..<count {
            if values[index] { byte |= 1 << UInt8(index & 7) }
            if index & 7 == 7 {
                u8(byte)
                byte = 0
            }
        }
        if count & 7 != 0 { u8(byte) }
    }
}

extension WireReader {
    @inline(__always) mutating func int(_ field: StaticString) throws(WireError) -> Int {
        let value = try signedVarint(field)
        guard let int = Int(exactly: value) else { throw WireError.malformed("\(field) out of range") }
        return int
    }

    @inline(__always) mutating func optionalString(_ field: StaticString, limit: Int) throws(WireError) -> String? {
        try bool(field) ? try string(field, limit: limit) : nil
    }

    @inline(__always) mutating func optionalSigned(_ field: StaticString) throws(WireError) -> Int64? {
        try bool(field) ? try signedVarint(field) : nil
    }

    @inline(__always) mutating func optionalDouble(_ field: StaticString) throws(WireError) -> Double? {
        try bool(field) ? try double(field) : nil
    }

    mutating func template(_ field: StaticString) throws(WireError) -> Template {
        let code = try string(field, limit: ReportCodec.Limits.code)
        guard let template = Template(rawValue: code) else { throw WireError.malformed("unknown template \"\(code)\"") }
        return template
    }

    /// Skips a bitmap of `count` bits and returns the index of its first byte; unused high bits
    /// of the last byte must be zero.
    @inline(__always)
    private mutating func bitmap(count: Int, _ field: StaticString) throws(WireError) -> Int {
        let byteCount = (count + 7) / 8
        let start = cursor
        try skip(byteCount, field)
        let spare = byteCount * 8 - count
        if spare > 0 && bytes[start + byteCount - 1] >> UInt8(8 - spare) != 0 {
            throw WireError.malformed("\(field) bitmap has stray bits")
        }
        return start
    }

    /// Reads cells written by `WireWriter.nullableCells` into `cells`, whose count (fixed by the
    /// model) the encoded count must equal.
    mutating func nullableCells(into cells: inout [Int64?], _ field: StaticString) throws(WireError) {
        let count = try self.count(field, limit: ReportCodec.Limits.cells)
        guard count == cells.count else { throw WireError.malformed("\(field): \(count) cells, expected \(cells.count)") }
        let map = try bitmap(count: count, field)
        for index in 0..<count {
            cells[index] = bytes[map + index >> 3] & (1 << UInt8(index & 7)) != 0 ? try signedVarint(field) : nil
        }
    }

    /// Reads flags written by `WireWriter.flags` into `values`, whose count must match.
    mutating func flags(into values: inout [Bool], _ field: StaticString) throws(WireError) {
        let count = try self.count(field, limit: ReportCodec.Limits.cells)
        guard count == values.count else { throw WireError.malformed("\(field): \(count) flags, expected \(values.count)") }
        let map = try bitmap(count: count, field)
        for index in 0..<count { values[index] = bytes[map + index >> 3] & (1 << UInt8(index & 7)) != 0 }
    }
}
