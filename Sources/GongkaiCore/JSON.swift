// The report JSON of schema v1 (keys as in DESIGN.md), written straight into bytes: one object per line
// for ndjson at tens of thousands of reports per second, or indented for people.

public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    let pretty: Bool
    private var depth = 0
    private var needsComma = false

    public init(pretty: Bool = false, capacity: Int = 4096) {
        self.pretty = pretty
        bytes.reserveCapacity(capacity)
    }

    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        depth = 0
        needsComma = false
    }

    // MARK: Structure

    public mutating func beginObject() { value(); bytes.append(0x7B); depth += 1; needsComma = false }
    public mutating func endObject() { depth -= 1; if needsComma { newline() }; bytes.append(0x7D); needsComma = true }
    public mutating func beginArray() { value(); bytes.append(0x5B); depth += 1; needsComma = false }
    public mutating func endArray() { depth -= 1; bytes.append(0x5D); needsComma = true }

    public mutating func key(_ k: String) {
        startKey()
        string(k)
        finishKey(colon: true)
    }

    /// A key fixed at compile time, written as it is: the keys of the report schema are ASCII names with
    /// nothing to escape, so they are not scanned for escapes on every report.
    mutating func key(fixed k: StaticString) {
        startKey()
        bytes.append(0x22)
        literal(k)
        bytes.append(0x22)
        finishKey(colon: true)
    }

    /// A key given as its finished bytes (`"code":`), for the fixed keys written for every report.
    mutating func key(quotedWithColon bytes: UnsafeBufferPointer<UInt8>) {
        startKey()
        self.bytes.append(contentsOf: bytes)
        finishKey(colon: false)
    }

    private var pendingKey = false

    private mutating func startKey() {
        if needsComma { bytes.append(0x2C) }
        newline()
    }

    private mutating func finishKey(colon: Bool) {
        if colon { bytes.append(0x3A) }
        if pretty { bytes.append(0x20) }
        needsComma = false
        pendingKey = true
    }

    private mutating func value() {
        if pendingKey {
            pendingKey = false
            return
        }
        if needsComma { bytes.append(0x2C); if pretty { bytes.append(0x20) } }
    }

    private mutating func newline() {
        guard pretty else { return }
        bytes.append(0x0A)
        for _ in 0..<depth { bytes.append(0x20); bytes.append(0x20) }
    }

    // MARK: Values

    mutating func string(_ s: String) {
        bytes.append(0x22)
        let done: Bool? = s.utf8.withContiguousStorageIfAvailable { utf8 in
            appendEscaped(utf8)
            return true
        }
        if done == nil {
            let copy = Array(s.utf8)
            copy.withUnsafeBufferPointer { appendEscaped($0) }
        }
        bytes.append(0x22)
    }

    /// Appends UTF-8 with JSON escapes; runs without anything to escape are copied in one go.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        var i = 0
        let n = utf8.count
        while i < n {
            let c = utf8[i]
            if c >= 0x20 && c != 0x22 && c != 0x5C {
                i += 1
                continue
            }
            if i > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<i])) }
            switch c {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            default:
                let hex: StaticString = "0123456789abcdef"
                hex.withUTF8Buffer { h in
                    bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, h[Int(c >> 4)], h[Int(c & 0xF)]])
                }
            }
            i += 1
            runStart = i
        }
        if n > runStart { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<n])) }
    }

    public mutating func stringValue(_ s: String) { value(); string(s); needsComma = true }
    public mutating func null() { value(); literal("null"); needsComma = true }
    public mutating func bool(_ v: Bool) { value(); literal(v ? "true" : "false"); needsComma = true }

    /// Appends a literal's bytes (no array is made for them).
    private mutating func literal(_ text: StaticString) { text.withUTF8Buffer { bytes.append(contentsOf: $0) } }

    public mutating func int(_ v: Int64) {
        value()
        if v >= 0 && v < 10 {
            bytes.append(0x30 + UInt8(v))  // most table cells
        } else {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.maxIntLength) { buffer in
                let n = Self.write(v, into: buffer, at: 0)
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<n]))
            }
        }
        needsComma = true
    }

    /// The longest decimal Int64: `-9223372036854775808`.
    private static let maxIntLength = 20

    /// Writes `v` in decimal at `at` (room for `maxIntLength` bytes needed); returns the index after it.
    private static func write(_ v: Int64, into buffer: UnsafeMutableBufferPointer<UInt8>, at: Int) -> Int {
        var at = at
        if v < 0 {
            buffer[at] = 0x2D
            at += 1
        }
        var m = v.magnitude
        var digits = 1
        var scale: UInt64 = 1
        while m / scale >= 10 {
            scale *= 10
            digits += 1
        }
        for k in stride(from: digits - 1, through: 0, by: -1) {
            buffer[at + k] = UInt8(m % 10) + 0x30
            m /= 10
        }
        return at + digits
    }

    /// A member whose value is an object of integer fields, `"key":{"a":1,"b":null}`: the table rows written for
    /// every report. Pretty output goes through the general calls; without indentation the same bytes are put
    /// together in a scratch buffer and appended once, instead of a piece at a time.
    fileprivate mutating func intObject(key: UnsafeBufferPointer<UInt8>, fields: QuotedKeys.Buffer, count: Int,
                                        value: (Int) -> Int64?) {
        guard !pretty else {
            self.key(quotedWithColon: key)
            beginObject()
            for i in 0..<count {
                self.key(quotedWithColon: fields[i])
                int(value(i))
            }
            endObject()
            return
        }
        var capacity = 1 + key.count + 2
        for i in 0..<count { capacity += 1 + fields[i].count + Self.maxIntLength }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            var at = 0
            func put(_ piece: UnsafeBufferPointer<UInt8>) {
                _ = UnsafeMutableBufferPointer(rebasing: buffer[at..<(at + piece.count)]).initialize(from: piece)
                at += piece.count
            }
            func put(_ byte: UInt8) {
                buffer[at] = byte
                at += 1
            }
            if needsComma { put(0x2C) }
            put(key)
            put(0x7B)
            for i in 0..<count {
                if i > 0 { put(0x2C) }
                put(fields[i])
                if let v = value(i) {
                    at = Self.write(v, into: buffer, at: at)
                } else {
                    for byte in "null".utf8 { put(byte) }
                }
            }
            put(0x7D)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<at]))
        }
        pendingKey = false
        needsComma = true
    }

    public mutating func int(_ v: Int64?) { if let v { int(v) } else { null() } }
    public mutating func int(_ v: Int?) { if let v { int(Int64(v)) } else { null() } }
    public mutating func string(optional v: String?) { if let v { stringValue(v) } else { null() } }

    /// An amount as a JSON number in 万元 (`27.66`).
    public mutating func amount(_ a: Amount?) {
        guard let a else { return null() }
        value()
        bytes.append(contentsOf: Array(a.description.utf8))
        needsComma = true
    }

    public mutating func double(_ d: Double?) {
        guard let d, d.isFinite else { return null() }
        value()
        if d == d.rounded(), abs(d) < 1e15 {
            bytes.append(contentsOf: Array(String(Int64(d)).utf8))
        } else {
            bytes.append(contentsOf: Array(String(d).utf8))
        }
        needsComma = true
    }
}

extension Report {
    /// Writes this report as one JSON object (schema v1).
    public func writeJSON(to w: inout JSONWriter) {
        w.beginObject()
        w.key(fixed: "schema"); w.int(Int64(1))
        w.key(fixed: "source"); w.stringValue(source)
        w.key(fixed: "sha256"); w.stringValue(sha256)
        w.key(fixed: "bytes"); w.int(Int64(byteCount))
        w.key(fixed: "status"); w.stringValue(status.rawValue)
        if let statusMessage { w.key(fixed: "status_message"); w.stringValue(statusMessage) }
        w.key(fixed: "format"); w.stringValue(format)
        w.key(fixed: "encoding"); w.string(optional: encoding)
        w.key(fixed: "layout"); w.stringValue(layout.rawValue)
        w.key(fixed: "year"); w.int(year)
        w.key(fixed: "agency"); w.string(optional: agency)
        w.key(fixed: "region"); w.string(optional: region)
        w.key(fixed: "published"); w.string(optional: published?.description)
        w.key(fixed: "sections"); w.beginArray(); for s in sections { w.int(Int64(s)) }; w.endArray()

        w.key(fixed: "table2")
        if let t = table2 {
            w.beginObject()
            w.key(fixed: "template"); w.stringValue(t.template.rawValue)
            w.key(fixed: "rows"); w.beginObject()
            var currentRow: String? = nil
            for f in t.fields {
                if f.row != currentRow {
                    if currentRow != nil { w.endObject() }
                    w.key(f.row); w.beginObject()
                    currentRow = f.row
                }
                w.key(f.field)
                switch f.value.kind {
                case .count: w.int(f.value.count)
                case .amount:
                    w.amount(f.value.amount)
                    w.key(fixed: "written"); w.string(optional: f.value.written)
                    w.key(fixed: "unit"); w.string(optional: f.value.unit)
                }
            }
            if currentRow != nil { w.endObject() }
            w.endObject()
            w.endObject()
        } else {
            w.null()
        }

        w.key(fixed: "table3")
        if let t = table3 {
            w.beginObject()
            w.key(fixed: "template"); w.stringValue(t.template.rawValue)
            w.key(fixed: "rows"); w.beginObject()
            table3RowKeys.withKeys { rowKeys in
                table3ColumnKeys.withKeys { columnKeys in
                    for row in t.rows {
                        w.intObject(key: rowKeys[row.rawValue], fields: columnKeys, count: table3Columns.count) {
                            t[row, table3Columns[$0]]
                        }
                    }
                }
            }
            w.endObject()
            w.endObject()
        } else {
            w.null()
        }

        w.key(fixed: "table4")
        if let t = table4 {
            w.beginObject()
            w.key(fixed: "rows"); w.beginObject()
            table4GroupKeys.withKeys { groupKeys in
                table4ColumnKeys.withKeys { columnKeys in
                    for group in table4Groups {
                        w.intObject(key: groupKeys[group.rawValue], fields: columnKeys, count: table4Columns.count) {
                            t[group, table4Columns[$0]]
                        }
                    }
                }
            }
            w.endObject()
            w.endObject()
        } else {
            w.null()
        }

        w.key(fixed: "narrative"); w.beginObject()
        w.key(fixed: "proactive_items"); w.int(narrative.proactiveItems)
        w.key(fixed: "applications_received"); w.int(narrative.applicationsReceived)
        w.key(fixed: "applications_matched"); w.string(optional: narrative.applicationsMatched)
        w.key(fixed: "reviews"); w.int(narrative.reviews)
        w.key(fixed: "lawsuits"); w.int(narrative.lawsuits)
        w.key(fixed: "penalties"); w.int(narrative.penalties)
        w.key(fixed: "licences"); w.int(narrative.licences)
        w.key(fixed: "processing_fees_10k_yuan"); w.amount(narrative.processingFees)
        w.key(fixed: "admin_fees_10k_yuan"); w.amount(narrative.adminFees)
        w.endObject()

        w.key(fixed: "findings"); w.beginArray()
        for f in findings {
            w.beginObject()
            w.key(fixed: "rule"); w.stringValue(f.rule.rawValue)
            w.key(fixed: "severity"); w.stringValue(f.severity.rawValue)
            w.key(fixed: "kind"); w.stringValue(f.kind.rawValue)
            w.key(fixed: "cells"); w.beginArray(); for c in f.cells { w.stringValue(c) }; w.endArray()
            w.key(fixed: "message"); w.stringValue(f.message)
            if f.found != nil { w.key(fixed: "found"); w.double(f.found) }
            if f.expected != nil { w.key(fixed: "expected"); w.double(f.expected) }
            w.endObject()
        }
        w.endArray()
        w.endObject()
    }

    /// The report as JSON bytes.
    public func jsonBytes(pretty: Bool = false) -> [UInt8] {
        var w = JSONWriter(pretty: pretty)
        writeJSON(to: &w)
        return w.bytes
    }
}

// Made once: `allCases` builds a new array on every call.
private let table3Columns = Table3Column.allCases
private let table4Groups = Table4Group.allCases
private let table4Columns = Table4Column.allCases
private let table3ColumnKeys = QuotedKeys(table3Columns.map(\.code))
private let table4ColumnKeys = QuotedKeys(table4Columns.map(\.code))
private let table3RowKeys = QuotedKeys(Table3Row.allCases.map(\.code))
private let table4GroupKeys = QuotedKeys(table4Groups.map(\.code))

/// Keys written for every report, finished (`"code":`) and kept in one buffer: writing one from inside
/// `withKeys` copies bytes and touches no reference count (an array per key was retained and released for
/// each of the ~200 table cells of a report).
private struct QuotedKeys {
    private var bytes: [UInt8] = []
    /// Key `i` is `bytes[starts[i]..<starts[i + 1]]`.
    private var starts: [Int] = [0]

    init(_ codes: [String]) {
        for code in codes {
            bytes.append(contentsOf: Array("\"\(code)\":".utf8))
            starts.append(bytes.count)
        }
    }

    struct Buffer {
        let bytes: UnsafeBufferPointer<UInt8>
        let starts: UnsafeBufferPointer<Int>
        subscript(i: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[starts[i]..<starts[i + 1]]) }
    }

    /// The keys, valid only during `body`.
    func withKeys<R>(_ body: (Buffer) -> R) -> R {
        bytes.withUnsafeBufferPointer { b in starts.withUnsafeBufferPointer { s in body(Buffer(bytes: b, starts: s)) } }
    }
}
