// The report model of schema v1 (see docs/report-json.md): canonical codes, tables, findings.

/// The template a table follows. Decided per table, not per report.
public enum Template: String, Sendable, Hashable, Codable {
    case y2021 = "2021"
    case y2019 = "2019"
}

/// What became of a document. `ok` says nothing about whether the numbers balance:
/// that is what findings are for ("the document is wrong" vs "we could not read it").
public enum ReportStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Recognised as a report; all three tables were found.
    case ok
    /// Recognised as a report, but at least one table is missing (truncated or partial document).
    case incomplete
    /// Zero bytes, or only whitespace.
    case empty
    /// Binary data that is not a supported document format.
    case binary
    /// Readable text that is not a disclosure annual report.
    case notReport = "not_report"
    /// Larger than the configured size limit; not read.
    case tooLarge = "too_large"
    /// Bytes that decode in no supported encoding.
    case badEncoding = "bad_encoding"
    /// A document format that cannot be read (legacy .doc, scanned PDF, …).
    case unsupportedFormat = "unsupported_format"
    /// The file could not be opened or read.
    case ioError = "io_error"
    /// The file crashed or hung workers repeatedly and was set aside (cluster only).
    case quarantined

    /// Whether the document's content was parsed (tables may still be missing).
    public var isParsed: Bool { self == .ok || self == .incomplete }
}

/// How the tables were laid out in the text.
public enum Layout: String, Sendable, Hashable, Codable {
    /// One cell per line, rows separated by blank lines (text extracted from .docx).
    case cellPerLine = "cell_per_line"
    /// One row per line, cells separated by tabs.
    case tabRows = "tab_rows"
    /// Both in one document.
    case mixed
    /// No table was found.
    case none
}

// MARK: - Table 3

/// Rows of table 3 (收到和处理政府信息公开申请情况), in table order.
public enum Table3Row: Int, Sendable, Hashable, CaseIterable {
    case new, carriedOver, granted, partiallyGranted
    case deniedStateSecret, deniedProhibitedByLaw, deniedThreeSafetyOneStability, deniedThirdPartyRights
    case deniedInternalAffairs, deniedProcessInfo, deniedEnforcementFiles, deniedQueryMatters
    case unableNotHeld, unableNeedsCreation, unableUnclearAfterCorrection
    case rejectedPetitionComplaint, rejectedDuplicate, rejectedPublication, rejectedRepeatedMass
    case rejectedConfirmReissue
    case otherNoCorrection, otherUnpaidFee, other
    case resultsTotal, carriedForward

    public var code: String { Self.codes[rawValue] }
    public var label: String { Self.labels[rawValue] }

    public init?(code: String) {
        guard let index = Self.codes.firstIndex(of: code) else { return nil }
        self.init(rawValue: index)
    }

    /// The rows whose sum is `results_total` in the 2021 template (21 rows).
    public static let results2021: [Table3Row] = (Table3Row.granted.rawValue...Table3Row.other.rawValue).map {
        Table3Row(rawValue: $0)!
    }
    /// The rows whose sum is `results_total` in the 2019 template (19 rows; （六）其他处理 is one row).
    public static let results2019: [Table3Row] = results2021.filter { $0 != .otherNoCorrection && $0 != .otherUnpaidFee }

    /// The rows a table of the given template has.
    public static func rows(of template: Template) -> [Table3Row] {
        switch template {
        case .y2021: return allCases
        case .y2019: return allCases.filter { $0 != .otherNoCorrection && $0 != .otherUnpaidFee }
        }
    }

    static let codes = [
        "new", "carried_over", "granted", "partially_granted",
        "denied_state_secret", "denied_prohibited_by_law", "denied_three_safety_one_stability",
        "denied_third_party_rights", "denied_internal_affairs", "denied_process_info",
        "denied_enforcement_files", "denied_query_matters", "unable_not_held",
        "unable_needs_creation", "unable_unclear_after_correction",
        "rejected_petition_complaint", "rejected_duplicate", "rejected_publication",
        "rejected_repeated_mass", "rejected_confirm_reissue", "other_no_correction",
        "other_unpaid_fee", "other", "results_total", "carried_forward",
    ]
    static let labels = [
        "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开",
        "（二）部分公开", "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
        "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷",
        "8.属于行政查询事项", "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确",
        "1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请",
        "5.要求行政机关确认或重新出具已获取信息",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他",
        "（七）总计", "四、结转下年度继续办理",
    ]
}

/// Columns of table 3: applicant types and the total.
public enum Table3Column: Int, Sendable, Hashable, CaseIterable {
    case naturalPerson, commercial, research, socialWelfare, legalService, otherOrg, total

    public var code: String { Self.codes[rawValue] }
    public var label: String { Self.labels[rawValue] }

    public init?(code: String) {
        guard let index = Self.codes.firstIndex(of: code) else { return nil }
        self.init(rawValue: index)
    }

    /// The six applicant columns whose sum is `total`.
    public static let applicants: [Table3Column] = [
        .naturalPerson, .commercial, .research, .socialWelfare, .legalService, .otherOrg,
    ]

    static let codes = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"]
    static let labels = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
}

/// Table 3: 25 rows × 7 columns (2021) or 23 rows (2019). A blank cell is `nil`.
public struct Table3: Sendable, Hashable {
    public var template: Template
    /// `cells[row.rawValue * 7 + column.rawValue]`
    public var cells: [Int64?]
    /// Which rows the table had. A row the template does not have is absent, not blank.
    public var present: [Bool]

    public init(template: Template) {
        self.template = template
        self.cells = Array(repeating: nil, count: Table3Row.allCases.count * Table3Column.allCases.count)
        self.present = Array(repeating: false, count: Table3Row.allCases.count)
    }

    public subscript(row: Table3Row, column: Table3Column) -> Int64? {
        get { cells[row.rawValue * 7 + column.rawValue] }
        set { cells[row.rawValue * 7 + column.rawValue] = newValue }
    }

    public func has(_ row: Table3Row) -> Bool { present[row.rawValue] }

    /// The rows this table has, in order.
    public var rows: [Table3Row] { Table3Row.allCases.filter { present[$0.rawValue] } }
}

// MARK: - Table 4

/// Groups of table 4 (行政复议、行政诉讼).
public enum Table4Group: Int, Sendable, Hashable, CaseIterable {
    case review, litigationDirect, litigationAfterReview
    public var code: String { Self.codes[rawValue] }
    public var label: String { Self.labels[rawValue] }
    private static let codes = ["review", "litigation_direct", "litigation_after_review"]
    private static let labels = ["行政复议", "未经复议直接起诉", "复议后起诉"]
}

/// Columns of each table 4 group.
public enum Table4Column: Int, Sendable, Hashable, CaseIterable {
    case upheld, corrected, other, pending, total
    public var code: String { Self.codes[rawValue] }
    public var label: String { Self.labels[rawValue] }
    private static let codes = ["upheld", "corrected", "other", "pending", "total"]
    private static let labels = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
}

/// Table 4: 15 numbers. A blank cell is `nil`.
public struct Table4: Sendable, Hashable {
    /// `cells[group.rawValue * 5 + column.rawValue]`
    public var cells: [Int64?]

    public init() { cells = Array(repeating: nil, count: 15) }
    public init(cells: [Int64?]) {
        precondition(cells.count == 15)
        self.cells = cells
    }

    public subscript(group: Table4Group, column: Table4Column) -> Int64? {
        get { cells[group.rawValue * 5 + column.rawValue] }
        set { cells[group.rawValue * 5 + column.rawValue] = newValue }
    }
}

// MARK: - Table 2

/// An amount of money normalised to 万元, held exactly as millionths of 万元 (0.01 分 precision).
public struct Amount: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var micros: Int64
    public init(micros: Int64) { self.micros = micros }
    public static func < (a: Amount, b: Amount) -> Bool { a.micros < b.micros }

    /// The value in 万元 as a Double (for summaries and JSON).
    public var tenThousandYuan: Double { Double(micros) / 1_000_000 }

    /// Plain decimal text in 万元 without trailing zeros: `27.66`, `0`, `25.1`.
    public var description: String {
        let negative = micros < 0
        let magnitude = micros.magnitude
        let whole = magnitude / 1_000_000
        var fraction = magnitude % 1_000_000
        var text = negative ? "-\(whole)" : "\(whole)"
        if fraction != 0 {
            var digits = 6
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            let f = String(fraction)
            text += "." + String(repeating: "0", count: digits - f.count) + f
        }
        return text
    }
}

/// One value of table 2: a count, or an amount with the unit it was written in.
public struct Table2Value: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case count, amount }
    public var kind: Kind
    /// A count (or a signed change); `nil` when blank or not a number.
    public var count: Int64?
    /// An amount in 万元; `nil` when blank or not a number.
    public var amount: Amount?
    /// The text as written in the cell (with its unit), for amounts.
    public var written: String?
    /// The unit the amount was written in: `万元` or `元`.
    public var unit: String?

    public static func count(_ value: Int64?) -> Table2Value { Table2Value(kind: .count, count: value) }
    public static func amount(_ value: Amount?, written: String?, unit: String?) -> Table2Value {
        Table2Value(kind: .amount, amount: value, written: written, unit: unit)
    }

    public var isBlank: Bool { kind == .count ? count == nil : amount == nil }
}

/// Table 2 (主动公开政府信息情况): ordered rows of named fields, per template.
public struct Table2: Sendable, Hashable {
    public struct Field: Sendable, Hashable {
        public var row: String
        public var field: String
        public var value: Table2Value
        public init(row: String, field: String, value: Table2Value) {
            self.row = row
            self.field = field
            self.value = value
        }
    }
    public var template: Template
    public var fields: [Field]

    public init(template: Template, fields: [Field] = []) {
        self.template = template
        self.fields = fields
    }

    public func value(_ row: String, _ field: String) -> Table2Value? {
        fields.first { $0.row == row && $0.field == field }?.value
    }

    /// Rows and fields of each template, in table order.
    public static func layout(of template: Template) -> [(row: String, fields: [String])] {
        template == .y2021 ? layout2021 : layout2019
    }

    private static let layout2021: [(row: String, fields: [String])] = makeLayout(.y2021)
    private static let layout2019: [(row: String, fields: [String])] = makeLayout(.y2019)

    private static func makeLayout(_ template: Template) -> [(row: String, fields: [String])] {
        switch template {
        case .y2021:
            return [
                ("regulations", ["issued", "repealed", "in_force"]),
                ("normative_documents", ["issued", "repealed", "in_force"]),
                ("licensing", ["decisions"]),
                ("penalty", ["decisions"]),
                ("enforcement", ["decisions"]),
                ("fees", ["amount_10k_yuan"]),
            ]
        case .y2019:
            return [
                ("regulations", ["new_made", "new_published", "total_published"]),
                ("normative_documents", ["new_made", "new_published", "total_published"]),
                ("licensing", ["prev_count", "change", "decisions"]),
                ("other_services", ["prev_count", "change", "decisions"]),
                ("penalty", ["prev_count", "change", "decisions"]),
                ("enforcement", ["prev_count", "change", "decisions"]),
                ("fees", ["prev_count", "change"]),
                ("procurement", ["projects", "amount_10k_yuan"]),
            ]
        }
    }

    /// Fields that may be negative (`本年增/减`).
    public static func isSigned(field: String) -> Bool { field == "change" }
    /// Fields that hold amounts of money.
    public static func isAmount(field: String) -> Bool { field == "amount_10k_yuan" }
}

// MARK: - Narrative, metadata

/// Figures the report's own text states.
public struct Narrative: Sendable, Hashable {
    /// 主动公开 N 条
    public var proactiveItems: Int64?
    /// 收到申请 N 件/项
    public var applicationsReceived: Int64?
    /// 行政复议 N 件
    public var reviews: Int64?
    /// 行政诉讼 N 件
    public var lawsuits: Int64?
    /// 行政处罚 N 件
    public var penalties: Int64?
    /// 行政许可 N 件
    public var licences: Int64?
    /// Fees charged to applicants (信息处理费, 收取费用 N 元), normalised to 万元 like every amount.
    public var processingFees: Amount?
    /// 行政事业性收费 as the text states it, normalised to 万元 (checked against table 2's fees).
    public var adminFees: Amount?
    /// Which table figure the stated applications matched: `new` or `new_plus_carried_over` (set by validation).
    public var applicationsMatched: String?

    public init() {}
}

/// A calendar date as written in the report.
public struct ReportDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }
    public static func < (a: ReportDate, b: ReportDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
    /// ISO 8601: `2023-01-05`.
    public var description: String {
        func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(year)-\(pad(month))-\(pad(day))"
    }
}

// MARK: - Findings

public enum Severity: String, Sendable, Hashable, Codable, Comparable, CaseIterable {
    case error, warning, info
    private var rank: Int { self == .error ? 2 : self == .warning ? 1 : 0 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// "The document is wrong" (its own numbers) vs "we could not read it" (extraction).
public enum FindingKind: String, Sendable, Hashable, Codable {
    case document
    case extraction
}

/// One thing validation found: which rule, which cells, the numbers found and expected.
public struct Finding: Sendable, Hashable {
    public var rule: Rule
    public var severity: Severity { rule.severity }
    public var kind: FindingKind { rule.kind }
    /// Cell paths such as `table3.new.total` or `table4.review.total`.
    public var cells: [String]
    public var message: String
    public var found: Double?
    public var expected: Double?

    public init(rule: Rule, cells: [String], message: String, found: Double? = nil, expected: Double? = nil) {
        self.rule = rule
        self.cells = cells
        self.message = message
        self.found = found
        self.expected = expected
    }
}

// MARK: - Report

/// Everything read from one document.
public struct Report: Sendable, Hashable {
    public var source: String
    public var sha256: String
    public var byteCount: Int
    public var status: ReportStatus
    /// Why the status is not `ok`, in words.
    public var statusMessage: String?
    /// `text`, and later `docx`, `html`, `pdf`.
    public var format: String
    /// The encoding the bytes were decoded from: `utf-8`, `utf-8-bom`, `utf-16le`, `utf-16be`, `gb18030`.
    public var encoding: String?
    public var layout: Layout
    public var year: Int?
    public var agency: String?
    public var region: String?
    public var published: ReportDate?
    /// Sections present, 1…6.
    public var sections: [Int]
    public var table2: Table2?
    public var table3: Table3?
    public var table4: Table4?
    public var narrative: Narrative
    public var findings: [Finding]

    public init(source: String, sha256: String = "", byteCount: Int = 0, status: ReportStatus, statusMessage: String? = nil) {
        self.source = source
        self.sha256 = sha256
        self.byteCount = byteCount
        self.status = status
        self.statusMessage = statusMessage
        self.format = "text"
        self.encoding = nil
        self.layout = .none
        self.year = nil
        self.agency = nil
        self.region = nil
        self.published = nil
        self.sections = []
        self.table2 = nil
        self.table3 = nil
        self.table4 = nil
        self.narrative = Narrative()
        self.findings = []
    }

    public var errorCount: Int { findings.reduce(0) { $0 + ($1.severity == .error ? 1 : 0) } }
    public var warningCount: Int { findings.reduce(0) { $0 + ($1.severity == .warning ? 1 : 0) } }
}
