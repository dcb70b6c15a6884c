// Reads a report's UTF-8 text into tables, metadata and narrative figures, and records the cell-level
// findings only the parser can see (blank, not a number, negative, fraction, cells it could not place).

public enum ReportParser {
    /// Parses normalised UTF-8 text (see GongkaiDecode for bytes in other encodings). Never traps.
    public static func parse(utf8 bytes: [UInt8], source: String) -> Report {
        var report = Report(source: source, byteCount: bytes.count, status: .ok)
        let structure = Structure(utf8: bytes)
        report.layout = structure.layout
        structure.buffer.withUnsafeBufferPointer { b in
            structure.cells.withUnsafeBufferPointer { cells in
                var state = ParseState(b: b, cells: cells, items: structure.items)
                state.run(into: &report)
            }
        }
        Validator.validate(&report)
        return report
    }
}

/// Row labels of table 3, matched by distinctive substrings of the label cell.
private let table3Labels: [(Table3Row, String)] = [
    (.new, "本年新收"), (.carriedOver, "上年结转"), (.granted, "予以公开"), (.partiallyGranted, "部分公开"),
    (.deniedStateSecret, "国家秘密"), (.deniedProhibitedByLaw, "禁止公开"),
    (.deniedThreeSafetyOneStability, "三安全一稳定"), (.deniedThirdPartyRights, "第三方合法权益"),
    (.deniedInternalAffairs, "内部事务"), (.deniedProcessInfo, "过程性信息"),
    (.deniedEnforcementFiles, "行政执法案卷"), (.deniedQueryMatters, "行政查询事项"),
    (.unableNotHeld, "不掌握"), (.unableNeedsCreation, "另行制作"), (.unableUnclearAfterCorrection, "仍不明确"),
    (.rejectedPetitionComplaint, "信访举报投诉"), (.rejectedDuplicate, "重复申请"),
    (.rejectedPublication, "公开出版物"), (.rejectedRepeatedMass, "大量反复"),
    (.rejectedConfirmReissue, "重新出具"), (.otherNoCorrection, "逾期不补正"), (.otherUnpaidFee, "缴纳费用"),
    (.carriedForward, "结转下年度"),
]
private let table3Patterns: [(row: Table3Row, needle: StaticBytes)] = table3Labels.map { ($0.0, StaticBytes($0.1)) }
/// The same needles indexed by row, for the fast path (the row after the last one matched).
private let table3NeedleByRow: [StaticBytes?] = Table3Row.allCases.map { row in table3Patterns.first { $0.row == row }?.needle }

private let needleOtherHandling = StaticBytes("其他处理")
private let needleSubtotal = StaticBytes("小计")
private let needleOther = StaticBytes("其他")
private let needleTotal = StaticBytes("总计")
private let needleSeven = StaticBytes("七")
private let needleReview = StaticBytes("行政复议")
private let needleLitigation = StaticBytes("行政诉讼")
private let needleContent = StaticBytes("信息内容")
private let needleApplicant = StaticBytes("申请人情况")
private let needleNaturalPerson = StaticBytes("自然人")

private let table2RowLabels: [(String, String, Bool)] = [
    ("regulations", "规章", true), ("normative_documents", "规范性文件", false), ("licensing", "行政许可", false),
    ("other_services", "其他对外管理", false), ("penalty", "行政处罚", false), ("enforcement", "行政强制", false),
    ("fees", "行政事业性收费", false), ("procurement", "政府集中采购", false),
]
private let table2RowPatterns: [(row: String, needle: StaticBytes, exact: Bool)] = table2RowLabels.map { ($0.0, StaticBytes($0.1), $0.2) }

/// Column headers of table 2 and the field each names; the first match wins, so longer headers come first.
private let table2Headers: [(String, Template, String)] = [
    ("issued", .y2021, "本年制发件数"), ("repealed", .y2021, "本年废止件数"), ("in_force", .y2021, "现行有效件数"),
    ("decisions", .y2021, "本年处理决定数量"), ("amount_10k_yuan", .y2021, "本年收费金额"),
    ("new_made", .y2019, "本年新制作数量"), ("new_published", .y2019, "本年新公开数量"),
    ("total_published", .y2019, "对外公开总数"), ("prev_count", .y2019, "上一年项目数量"), ("change", .y2019, "本年增"),
    ("decisions", .y2019, "处理决定数量"), ("projects", .y2019, "采购项目数量"), ("amount_10k_yuan", .y2019, "采购总金额"),
]
private let table2HeaderPatterns: [(field: String, template: Template, needle: StaticBytes)] = table2Headers.map {
    ($0.0, $0.1, StaticBytes($0.2))
}
private let needleUnitWan = StaticBytes("万元")
private let needleUnitYuan = StaticBytes("元")

/// The cells of one row: a slice of the document's cell spans (no copies, no reference counting).
typealias Cells = Slice<UnsafeBufferPointer<Span>>

private struct ParseState {
    let b: Bytes
    let allCells: UnsafeBufferPointer<Span>
    let items: [Item]
    var findings: [Finding] = []
    /// Table 3 has a 法人小计 column (eight value columns).
    var table3HasSubtotal = false

    init(b: Bytes, cells: UnsafeBufferPointer<Span>, items: [Item]) {
        self.b = b
        self.allCells = cells
        self.items = items
    }

    // MARK: Driver

    mutating func run(into report: inout Report) {
        var sectionSeen = [Bool](repeating: false, count: 7)
        var section = 0
        var table3: Table3? = nil
        var table3LastRow: Table3Row? = nil
        var table3OtherAsOneRow = false
        /// A table-3 row label that stood alone (markdown/PDF tables detach labels); its numbers come in the next row.
        var pendingTable3Row: Table3Row? = nil
        var table4: Table4? = nil
        var table4Armed = false
        var table2 = Table2Builder()
        var paragraphs: [Span] = []
        // Section 五 (problems and improvements) states no figures the tables are checked against.
        var narrativeParagraphs: [Span] = []
        narrativeParagraphs.reserveCapacity(64)
        paragraphs.reserveCapacity(64)
        var firstHeadingParagraph = -1

        for item in items {
            if item.kind == .paragraph {
                let s = Headings.section(b, item.span)
                if s != 0 {
                    sectionSeen[s] = true
                    section = s
                    if firstHeadingParagraph < 0 { firstHeadingParagraph = paragraphs.count }
                    if s == 4 { table4Armed = table4 == nil }
                } else if section >= 3 || section == 0, let digits = trailingDigits(item.span) {
                    // A row whose cells were glued together (text copied from a web page).
                    let label = UTF8Bytes.trim(b, Span(item.span.start, digits.start))
                    if label.isEmpty, table4Armed, digits.count >= 15 {
                        table4 = readGluedTable4(digits)
                        table4Armed = false
                        continue
                    }
                    if !label.isEmpty, digits.count >= 7, table3LastRow != .carriedForward,
                        let row = matchTable3(label, last: table3LastRow)
                    {
                        if table3 == nil { table3 = Table3(template: .y2021) }
                        if row == .other && UTF8Bytes.contains(b, label, needleOtherHandling) { table3OtherAsOneRow = true }
                        readGluedTable3Row(row, label: label, digits: digits, into: &table3!)
                        table3LastRow = row
                        continue
                    }
                }
                paragraphs.append(item.span)
                if section != 5 { narrativeParagraphs.append(item.span) }
                continue
            }
            let cells = allCells[item.firstCell..<(item.firstCell + item.cellCount)]
            guard let lastLabel = lastLabelIndex(cells) else {
                // A row of numbers (or blanks) only: the values of a detached table-3 label, or table 4's data row.
                if let row = pendingTable3Row, table3 != nil {
                    readTable3Row(row, cells: cells, after: cells.startIndex - 1, into: &table3!)
                    table3LastRow = row
                    pendingTable3Row = nil
                    continue
                }
                if table4Armed, let values = normalise(cells, to: 15, exactlyFrom: cells.startIndex) {
                    table4 = readTable4(values)
                    table4Armed = false
                }
                continue
            }
            let label = cells[lastLabel]
            // Table 4 header: arms the next numeric row.
            if table4 == nil, section >= 4 || section == 0 || table3LastRow == .carriedForward,
                rowContains(cells, needleReview), rowContains(cells, needleLitigation)
            {
                table4Armed = true
                continue
            }
            // In section 2, table 2 first (its rows are never table 3 rows); after 结转下年度, table 3 is complete.
            if section == 2 && table2.consume(self, cells: cells, lastLabel: lastLabel) { continue }
            let table3Open = table3LastRow != .carriedForward
            // Table 3 rows.
            // Only header rows, before the first data row, can announce the column.
            if table3 == nil, !table3HasSubtotal, section != 2, rowContains(cells, needleSubtotal) {
                table3HasSubtotal = true  // a 法人小计 column between 其他 and 总计
            }
            if table3Open, let row = matchTable3(label, last: table3LastRow) {
                if table3 == nil { table3 = Table3(template: .y2021) }
                if row == .other && UTF8Bytes.contains(b, label, needleOtherHandling) { table3OtherAsOneRow = true }
                if lastLabel + 1 == cells.endIndex {
                    pendingTable3Row = row  // the label alone: its numbers follow on their own row
                } else {
                    readTable3Row(row, cells: cells, after: lastLabel, into: &table3!)
                    pendingTable3Row = nil
                }
                table3LastRow = row
                continue
            }
            // Table 2 headers and rows: their labels are distinct from tables 3 and 4.
            table2.consume(self, cells: cells, lastLabel: lastLabel)
        }

        // Tables.
        if var t3 = table3 {
            if table3OtherAsOneRow && !t3.has(.otherNoCorrection) && !t3.has(.otherUnpaidFee) { t3.template = .y2019 }
            for row in Table3Row.rows(of: t3.template) where !t3.has(row) {
                findings.append(Finding(rule: .rowMissing, cells: ["table3.\(row.code)"],
                                        message: "表三未找到“\(row.label)”行 (row \(row.code) not found)"))
            }
            report.table3 = t3
        }
        report.table4 = table4
        if let t2 = table2.build(&findings) { report.table2 = t2 }
        report.sections = (1...6).filter { sectionSeen[$0] }

        // Metadata and narrative from running text.
        readMetadata(paragraphs: paragraphs, titleEnd: firstHeadingParagraph < 0 ? min(paragraphs.count, 4) : firstHeadingParagraph,
                     into: &report)
        report.narrative = NarrativeReader.read(b, paragraphs: narrativeParagraphs)

        // Status: a report at all?
        let tables = (report.table2 != nil ? 1 : 0) + (report.table3 != nil ? 1 : 0) + (report.table4 != nil ? 1 : 0)
        let looksLikeReport = tables > 0 || report.sections.count >= 2 || titleMentionsDisclosure(paragraphs)
        if !looksLikeReport {
            report.status = .notReport
            report.statusMessage = "不是政府信息公开工作年度报告：未找到章节标题或表格 (no section headings or tables found)"
            findings.removeAll()
        } else if tables < 3 {
            report.status = .incomplete
            var missing: [String] = []
            if report.table2 == nil { missing.append("表二 主动公开政府信息情况 (table2)") }
            if report.table3 == nil { missing.append("表三 收到和处理政府信息公开申请情况 (table3)") }
            if report.table4 == nil { missing.append("表四 行政复议、行政诉讼情况 (table4)") }
            report.statusMessage = "缺少表格 (missing): " + missing.joined(separator: "; ")
        }
        report.findings = findings
    }

    private func titleMentionsDisclosure(_ paragraphs: [Span]) -> Bool {
        let needle = StaticBytes("政府信息公开")
        for p in paragraphs.prefix(4) where UTF8Bytes.contains(b, p, needle) { return true }
        return false
    }

    // MARK: Cells

    /// Index of the last cell that is a label (non-blank text, not a number), if any.
    func lastLabelIndex(_ cells: Cells) -> Int? {
        var i = cells.endIndex - 1
        while i >= cells.startIndex {
            let c = cells[i]
            if !c.isEmpty, case .text = NumberReader.read(b, c) { return i }
            i -= 1
        }
        return nil
    }

    func rowContains(_ cells: Cells, _ needle: StaticBytes) -> Bool {
        for c in cells where UTF8Bytes.contains(b, c, needle) { return true }
        return false
    }

    /// The value cells of a row, made to the expected count: colspan artefacts (empty cells) are dropped
    /// from the end, then from the front. Returns nil when the row cannot hold that many values.
    func normalise(_ cells: Cells, to expected: Int, exactlyFrom start: Int) -> Cells? {
        var lo = start
        var hi = cells.endIndex
        while hi - lo > expected && cells[hi - 1].isEmpty { hi -= 1 }
        while hi - lo > expected && cells[lo].isEmpty { lo += 1 }
        return hi - lo == expected ? cells[lo..<hi] : nil
    }

    /// Reads a count cell, recording a finding for text, negatives and fractions.
    @inline(__always)
    mutating func count(_ cell: Span, path: @autoclosure () -> String, label: @autoclosure () -> String) -> Int64? {
        let read = NumberReader.read(b, cell)
        // The common case, a whole number ≥ 0, returns before anything is prepared for a finding.
        if case .number(let micros, false, _) = read, micros >= 0 { return micros / 1_000_000 }
        return count(read, cell, path: path, label: label)
    }

    private mutating func count(_ read: CellValue, _ cell: Span, path: () -> String, label: () -> String) -> Int64? {
        switch read {
        case .blank:
            return nil
        case .text:
            let text = UTF8Bytes.string(b, cell)
            findings.append(Finding(rule: .cellNotNumber, cells: [path()],
                                    message: "\(label())：“\(text)”不是数字 (not a number)"))
            return nil
        case .number(let micros, let hasFraction, _):
            let value = micros / 1_000_000
            if hasFraction {
                findings.append(Finding(rule: .cellFraction, cells: [path()],
                                        message: "\(label())：计数含小数 \(Amount(micros: micros)) (fraction in a count)",
                                        found: Double(micros) / 1_000_000))
                return nil
            }
            if micros < 0 {
                findings.append(Finding(rule: .cellNegative, cells: [path()],
                                        message: "\(label())：计数为负数 \(value) (negative count)", found: Double(value)))
            }
            return value
        }
    }

    // MARK: Table 3

    func matchTable3(_ label: Span, last: Table3Row?) -> Table3Row? {
        // Fast path: the row after the last one matched.
        let patterns = table3Patterns
        if let last, let next = Table3Row(rawValue: last.rawValue + 1), let needle = table3NeedleByRow[next.rawValue],
            UTF8Bytes.contains(b, label, needle)
        {
            return next
        }
        let mask = UTF8Bytes.byteMask(b, label)
        for p in patterns where UTF8Bytes.contains(b, label, mask: mask, p.needle) { return p.row }
        // （六）其他处理 as one row (2019), or 3.其他 after the other-handling rows (2021).
        if UTF8Bytes.contains(b, label, needleOtherHandling) { return .other }
        if let last, last.rawValue >= Table3Row.granted.rawValue, last.rawValue <= Table3Row.other.rawValue {
            if UTF8Bytes.contains(b, label, needleTotal) { return .resultsTotal }
            if last == .otherNoCorrection || last == .otherUnpaidFee, isPlainOther(label) { return .other }
        }
        if UTF8Bytes.contains(b, label, needleTotal), UTF8Bytes.contains(b, label, needleSeven) { return .resultsTotal }
        return nil
    }

    /// `3.其他`, `（三）其他`, `其他`: the label is 其他 after its numbering.
    private func isPlainOther(_ label: Span) -> Bool {
        guard let at = UTF8Bytes.find(b, label, needleOther) else { return false }
        return at + needleOther.count == label.end && at - label.start <= 9
    }

    mutating func readTable3Row(_ row: Table3Row, cells: Cells, after lastLabel: Int, into table: inout Table3) {
        var values: Cells
        let expected = table3HasSubtotal ? 8 : 7
        if let v = normalise(cells, to: expected, exactlyFrom: lastLabel + 1) {
            values = v
        } else {
            let available = cells[(lastLabel + 1)...]
            findings.append(Finding(rule: .cellCount, cells: ["table3.\(row.code)"],
                                    message: "表三“\(row.label)”行有 \(available.count) 个单元格，应为 \(expected) (expected \(expected) cells)",
                                    found: Double(available.count), expected: Double(expected)))
            values = available.prefix(expected)
        }
        if table3HasSubtotal && values.count == 8 {
            // 自然人, five organisation columns, 法人小计, 总计: check the subtotal, keep the canonical seven.
            let subtotalCell = values[values.startIndex + 6]
            if case .number(let micros, false, _) = NumberReader.read(b, subtotalCell) {
                var sum: Int64 = 0
                var complete = true
                for k in 1...5 {
                    guard case .number(let m, false, _) = NumberReader.read(b, values[values.startIndex + k]) else { complete = false; break }
                    sum += m / 1_000_000
                }
                let subtotal = micros / 1_000_000
                if complete && sum != subtotal {
                    findings.append(Finding(rule: .table3OrgSubtotal, cells: ["table3.\(row.code).org_subtotal"],
                                            message: "表三“\(row.label)”行：法人小计为 \(subtotal)，五类法人或其他组织之和为 \(sum)",
                                            found: Double(subtotal), expected: Double(sum)))
                }
            }
        }
        // With a subtotal column, the eighth value is 总计 and the seventh is skipped.
        let skipSubtotal = table3HasSubtotal && values.count == 8
        table.present[row.rawValue] = true
        var blanks: [String] = []
        let columnsRead = min(values.count, 7)
        for offset in 0..<columnsRead {
            let cell = values[values.startIndex + (skipSubtotal && offset == 6 ? 7 : offset)]
            let column = Table3Column(rawValue: offset)!
            let value = count(cell, path: "table3.\(row.code).\(column.code)", label: "表三“\(row.label)”\(column.label)")
            table[row, column] = value
            if value == nil && cell.isEmpty { blanks.append("table3.\(row.code).\(column.code)") }
        }
        for offset in columnsRead..<7 {
            blanks.append("table3.\(row.code).\(Table3Column(rawValue: offset)!.code)")
        }
        if !blanks.isEmpty {
            findings.append(Finding(rule: .cellBlank, cells: blanks,
                                    message: "表三“\(row.label)”有 \(blanks.count) 个空白单元格 (blank cells; blank is not 0)"))
        }
    }

    // MARK: Glued rows

    /// The run of ASCII digits a line ends with, if the line has something before it or is only digits.
    func trailingDigits(_ line: Span) -> Span? {
        var i = line.end
        while i > line.start && b[i - 1] >= 0x30 && b[i - 1] <= 0x39 { i -= 1 }
        return i < line.end ? Span(i, line.end) : nil
    }

    mutating func readGluedTable3Row(_ row: Table3Row, label: Span, digits: Span, into table: inout Table3) {
        table.present[row.rawValue] = true
        let text = Array(UnsafeBufferPointer(rebasing: b[digits.start..<digits.end]))
        let glued = String(decoding: text, as: UTF8.self)
        switch GluedDigits.split(text, shape: .table3Row) {
        case .unique(let values):
            for (offset, value) in values.enumerated() { table[row, Table3Column(rawValue: offset)!] = value }
            findings.append(Finding(rule: .gluedSplit, cells: ["table3.\(row.code)"],
                                    message: "表三“\(row.label)”行的数字连在一起（\(glued)），按行内总计拆分为 "
                                        + values.map(String.init).joined(separator: ",")))
        case .ambiguous(let candidates):
            findings.append(Finding(rule: .gluedAmbiguous, cells: Table3Column.allCases.map { "table3.\(row.code).\($0.code)" },
                                    message: "表三“\(row.label)”行的数字连在一起（\(glued)），可有多种拆分（如 "
                                        + candidates.map { $0.map(String.init).joined(separator: ",") }.joined(separator: " 或 ")
                                        + "），无法确定，单元格留空"))
        case .none:
            findings.append(Finding(rule: .gluedAmbiguous, cells: Table3Column.allCases.map { "table3.\(row.code).\($0.code)" },
                                    message: "表三“\(row.label)”行的数字连在一起（\(glued)），没有一种拆分能使总计等于各列之和，单元格留空"))
        }
    }

    mutating func readGluedTable4(_ digits: Span) -> Table4 {
        let text = Array(UnsafeBufferPointer(rebasing: b[digits.start..<digits.end]))
        let glued = String(decoding: text, as: UTF8.self)
        var table = Table4()
        switch GluedDigits.split(text, shape: .table4Row) {
        case .unique(let values):
            table = Table4(cells: values.map { Optional($0) })
            findings.append(Finding(rule: .gluedSplit, cells: ["table4"],
                                    message: "表四的数字连在一起（\(glued)），按各组总计拆分为 " + values.map(String.init).joined(separator: ",")))
        case .ambiguous, .none:
            findings.append(Finding(rule: .gluedAmbiguous, cells: ["table4"],
                                    message: "表四的数字连在一起（\(glued)），无法唯一拆分，单元格留空"))
        }
        return table
    }

    // MARK: Table 4

    mutating func readTable4(_ values: Cells) -> Table4 {
        var table = Table4()
        var blanks: [String] = []
        for (offset, cell) in values.enumerated() {
            let group = Table4Group(rawValue: offset / 5)!
            let column = Table4Column(rawValue: offset % 5)!
            // Paths and labels are only spelled out for a finding.
            let value = count(cell, path: "table4.\(group.code).\(column.code)", label: "表四 \(group.label)\(column.label)")
            table[group, column] = value
            if value == nil && cell.isEmpty { blanks.append("table4.\(group.code).\(column.code)") }
        }
        if !blanks.isEmpty {
            findings.append(Finding(rule: .cellBlank, cells: blanks,
                                    message: "表四有 \(blanks.count) 个空白单元格 (blank cells; blank is not 0)"))
        }
        return table
    }

    // MARK: Metadata

    mutating func readMetadata(paragraphs: [Span], titleEnd: Int, into report: inout Report) {
        var title = ""
        let reportWord = StaticBytes("报告")
        for p in paragraphs[0..<min(paragraphs.count, max(0, titleEnd), 4)] {
            if p.count > 150 { break }
            title += UTF8Bytes.string(b, p)
            if UTF8Bytes.contains(b, p, reportWord) { break }
        }
        let meta = Metadata.fromTitle(title)
        report.year = meta.year
        report.agency = meta.agency
        // Sign-off at the end: the agency's full name, then the date.
        var signature: String? = nil
        var index = paragraphs.count - 1
        let lowest = max(0, paragraphs.count - 12)
        while index >= lowest {
            // A date line is short; do not turn long paragraphs into Strings to find out.
            guard paragraphs[index].count <= 80 else {
                index -= 1
                continue
            }
            let text = UTF8Bytes.string(b, paragraphs[index])
            if let date = Metadata.date(in: text), text.unicodeScalars.count <= 24 {
                report.published = date
                if index > 0, paragraphs[index - 1].count <= 90 {
                    signature = UTF8Bytes.string(b, paragraphs[index - 1])
                }
                break
            }
            index -= 1
        }
        if report.year == nil {
            for p in paragraphs.prefix(8) {
                if let y = Metadata.firstYear(in: UTF8Bytes.string(b, p)) {
                    report.year = y
                    break
                }
            }
        }
        report.region = Metadata.region(agency: report.agency, signature: signature)
    }
}

// MARK: - Table 2

private struct Table2Builder {
    var template: Template? = nil
    /// Fields named by the last header row, and the unit its amount header states.
    var headerFields: [String] = []
    var headerUnit: NumberUnit = .none
    var fields: [Table2.Field] = []
    /// Rows already read, by index into table2RowPatterns (a row is read once).
    var seenRows: UInt32 = 0
    var pendingFindings: [Finding] = []
    var blankCells: [String] = []

    /// Reads a header or data row of table 2; false when the row is not one.
    @discardableResult
    mutating func consume(_ s: ParseState, cells: Cells, lastLabel: Int) -> Bool {
        let b = s.b
        // Header row: 信息内容 + field names.
        if s.rowContains(cells, needleContent) {
            headerFields = []
            headerUnit = .none
            for cell in cells where !cell.isEmpty && !UTF8Bytes.contains(b, cell, needleContent) {
                for h in table2HeaderPatterns where UTF8Bytes.contains(b, cell, h.needle) {
                    headerFields.append(h.field)
                    if h.template == .y2019 { template = .y2019 } else if template == nil { template = .y2021 }
                    if h.field == "amount_10k_yuan" {
                        headerUnit = UTF8Bytes.contains(b, cell, needleUnitWan) ? .tenThousandYuan
                            : UTF8Bytes.contains(b, cell, needleUnitYuan) ? .yuan : .none
                    }
                    break
                }
            }
            return true
        }
        // Data row: the first label names the row.
        guard let labelIndex = cells.firstIndex(where: { !$0.isEmpty }) else { return false }
        let label = cells[labelIndex]
        let mask = UTF8Bytes.byteMask(b, label)
        guard let patternIndex = table2RowPatterns.firstIndex(where: {
            $0.exact ? UTF8Bytes.equals(b, label, $0.needle) : UTF8Bytes.contains(b, label, mask: mask, $0.needle)
        }) else { return false }
        let pattern = table2RowPatterns[patternIndex]
        guard labelIndex == lastLabel || lastLabel - labelIndex <= 1 else { return false }
        if seenRows & (1 << patternIndex) != 0 { return false }
        seenRows |= 1 << patternIndex
        let expectedTemplate = template ?? .y2021
        let layout = Table2.layout(of: expectedTemplate)
        let names: [String]
        if !headerFields.isEmpty {
            names = headerFields
        } else if let row = layout.first(where: { $0.row == pattern.row }) {
            names = row.fields
        } else {
            names = Table2.layout(of: .y2019).first(where: { $0.row == pattern.row })?.fields ?? ["decisions"]
        }
        let values = s.normalise(cells, to: names.count, exactlyFrom: lastLabel + 1)
            ?? cells[(lastLabel + 1)...].prefix(names.count)
        if values.count < names.count {
            pendingFindings.append(Finding(rule: .cellCount, cells: ["table2.\(pattern.row)"],
                                           message: "表二“\(s.labelText(label))”行有 \(values.count) 个数值，应为 \(names.count)",
                                           found: Double(values.count), expected: Double(names.count)))
        }
        for (offset, name) in names.enumerated() {
            let cell: Span? = offset < values.count ? values[values.startIndex + offset] : nil
            // The path is only spelled out for a finding.
            let path = { "table2.\(pattern.row).\(name)" }
            if Table2.isAmount(field: name) {
                fields.append(.init(row: pattern.row, field: name, value: amount(s, cell, path: path)))
            } else {
                fields.append(.init(row: pattern.row, field: name, value: count(s, cell, path: path, signed: Table2.isSigned(field: name))))
            }
        }
        return true
    }

    private mutating func amount(_ s: ParseState, _ cell: Span?, path: () -> String) -> Table2Value {
        guard let cell, !cell.isEmpty else {
            blankCells.append(path())
            return .amount(nil, written: nil, unit: nil)
        }
        let written = UTF8Bytes.string(s.b, cell)
        switch NumberReader.read(s.b, cell) {
        case .blank:
            blankCells.append(path())
            return .amount(nil, written: nil, unit: nil)
        case .text:
            pendingFindings.append(Finding(rule: .cellNotNumber, cells: [path()], message: "表二 金额“\(written)”不是数字 (not a number)"))
            return .amount(nil, written: written, unit: nil)
        case .number(let micros, _, let unit):
            let effective = unit == .none ? headerUnit : unit
            switch effective {
            case .yuan: return .amount(Amount(micros: micros / 10_000), written: written, unit: "元")
            default: return .amount(Amount(micros: micros), written: written, unit: "万元")
            }
        }
    }

    private mutating func count(_ s: ParseState, _ cell: Span?, path: () -> String, signed: Bool) -> Table2Value {
        guard let cell, !cell.isEmpty else {
            blankCells.append(path())
            return .count(nil)
        }
        switch NumberReader.read(s.b, cell) {
        case .blank:
            blankCells.append(path())
            return .count(nil)
        case .text:
            pendingFindings.append(Finding(rule: .cellNotNumber, cells: [path()],
                                           message: "表二“\(UTF8Bytes.string(s.b, cell))”不是数字 (not a number)"))
            return .count(nil)
        case .number(let micros, let hasFraction, _):
            if hasFraction {
                pendingFindings.append(Finding(rule: .cellFraction, cells: [path()], message: "表二 计数含小数 (fraction in a count)",
                                               found: Double(micros) / 1_000_000))
                return .count(nil)
            }
            if micros < 0 && !signed {
                pendingFindings.append(Finding(rule: .cellNegative, cells: [path()], message: "表二 计数为负数 (negative count)",
                                               found: Double(micros / 1_000_000)))
            }
            return .count(micros / 1_000_000)
        }
    }

    mutating func build(_ findings: inout [Finding]) -> Table2? {
        findings.append(contentsOf: pendingFindings)
        pendingFindings.removeAll()
        guard !fields.isEmpty else { return nil }
        let t = template ?? .y2021
        if !blankCells.isEmpty {
            findings.append(Finding(rule: .cellBlank, cells: blankCells,
                                    message: "表二有 \(blankCells.count) 个空白单元格 (blank cells; blank is not 0)"))
        }
        // Order fields as the template lists them; rows the template does not know stay at the end.
        let layout = Table2.layout(of: t)
        var inOrder = true
        var k = 0
        check: for (row, names) in layout {
            for name in names {
                if k >= fields.count || fields[k].row != row || fields[k].field != name { inOrder = false; break check }
                k += 1
            }
        }
        if inOrder && k == fields.count { return Table2(template: t, fields: fields) }
        var ordered: [Table2.Field] = []
        ordered.reserveCapacity(fields.count)
        for (row, names) in layout {
            for name in names { if let f = fields.first(where: { $0.row == row && $0.field == name }) { ordered.append(f) } }
        }
        for f in fields where !ordered.contains(f) { ordered.append(f) }
        return Table2(template: t, fields: ordered)
    }
}

extension ParseState {
    func labelText(_ span: Span) -> String { UTF8Bytes.string(b, span) }
}
