// A deterministic synthetic corpus of reports that vary as real ones do: both layouts, both templates,
// encodings, line endings, heading variants, padding, blank cells, full-width digits, realistic numbers
// that balance, and narrative that agrees with the tables, except where an error is injected on purpose.
// Each report carries its truth (a `Report` of the values written) and the list of injected errors.

import GongkaiCore
import GongkaiDecode

/// An error put into a generated report on purpose, with the rule that must report it.
public struct InjectedError: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case unbalancedRow = "unbalanced_row"
        case wrongTotal = "wrong_total"
        case wrongTable4Total = "wrong_table4_total"
        case blankCell = "blank_cell"
        case narrativeMismatch = "narrative_mismatch"
        case outdatedTemplate = "outdated_template"
        case latePublication = "late_publication"
    }
    public var kind: Kind
    /// The rule that must report it.
    public var rule: Rule
    /// A cell the finding must point at.
    public var cell: String
    /// Rules that may fire as a consequence of the same change (e.g. a changed cell breaks its column sum too).
    public var collateral: [Rule]
}

public struct GeneratedReport: Sendable {
    public var fileName: String
    public var bytes: [UInt8]
    /// The values written, as the parser should read them (status, tables, metadata, narrative).
    public var truth: Report
    public var errors: [InjectedError]
    public var encoding: String
    public var lineEnding: String
    public var layout: Layout
    /// The file format (`txt` unless the generator's format mix says otherwise).
    public var format: DocumentFormat = .txt

    /// Whether tables 3 and 4 were written with their cells glued together.
    public var glued: Bool

    /// Rules a correct parser may report for this file: the injected ones and their collateral, and for glued
    /// tables the split notes (a blanked ambiguous row leaves the stated applications nothing to match).
    public var expectedRules: Set<Rule> {
        var rules: Set<Rule> = glued ? [.gluedSplit, .gluedAmbiguous, .narrativeApplications] : []
        for e in errors {
            rules.insert(e.rule)
            rules.formUnion(e.collateral)
        }
        return rules
    }
}

/// SplitMix64: small, fast, and the same sequence on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
    public mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
    public mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

public struct CorpusGenerator: Sendable {
    public struct Options: Sendable {
        public var seed: UInt64
        /// The share of reports that get one injected error.
        public var errorRate: Double
        /// Allow encodings other than UTF-8 (GB18030, UTF-16).
        public var mixedEncodings: Bool
        /// The share of reports whose table-3 and table-4 rows are glued together, as in text copied
        /// from a web page (`一、本年新收政府信息公开申请数量801000081`). Such reports get no injected error.
        public var gluedRate: Double
        /// File formats and their shares (text only by default); see Formats.swift.
        public var formats: FormatMix
        public init(seed: UInt64 = 1, errorRate: Double = 0.1, mixedEncodings: Bool = true, gluedRate: Double = 0,
                    formats: FormatMix = .textOnly) {
            self.seed = seed
            self.errorRate = errorRate
            self.mixedEncodings = mixedEncodings
            self.gluedRate = gluedRate
            self.formats = formats
        }
    }

    public let options: Options
    public init(options: Options) { self.options = options }

    /// Report number `index` of the corpus; the same for the same seed and index, in any order.
    public func report(_ index: Int) -> GeneratedReport {
        var rng = SeededRandom(seed: options.seed &* 0x2545_F491_4F6C_DD1D ^ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
        var draft = Draft(index: index, rng: &rng, errorRate: options.errorRate, gluedRate: options.gluedRate)
        let format = options.formats.pick(index: index, seed: options.seed)
        if format != .txt { return draft.generated(format, baseName: format6(index) + "_" + draft.slug, rng: &rng) }
        let text = draft.render(&rng)
        var encoding = "utf-8"
        if options.mixedEncodings {
            let roll = rng.int(0...99)
            encoding = roll < 70 ? "utf-8" : roll < 80 ? "utf-8-bom" : roll < 90 ? "gb18030" : roll < 95 ? "utf-16le" : "utf-16be"
        }
        let bytes = Encoder.encode(text, as: encoding)
        let name = String(format6(index)) + "_" + draft.slug + ".txt"
        draft.truth.source = name
        draft.truth.encoding = encoding
        return GeneratedReport(fileName: name, bytes: bytes, truth: draft.truth, errors: draft.errors,
                               encoding: encoding, lineEnding: draft.lineEnding, layout: draft.truth.layout, glued: draft.glued)
    }

    private func format6(_ i: Int) -> String {
        let s = String(i)
        return String(repeating: "0", count: max(0, 6 - s.count)) + s
    }
}

// MARK: - Drafting one report

private let provinces = ["湖北省", "河南省", "广东省", "浙江省", "四川省", "江苏省", "山东省", "湖南省"]
private let cities = ["武汉市", "新乡市", "梅州市", "杭州市", "成都市", "南京市", "济南市", "长沙市", "宜昌市", "洛阳市"]
private let districts = ["硚口区", "牧野区", "梅江区", "西湖区", "武侯区", "鼓楼区", "历下区", "岳麓区", "江岸区", "洪山区", "红旗区", "兴宁市"]
private let departments = [
    "人力资源和社会保障局", "人力资源局", "机关事务服务中心", "市场监督管理局", "教育局", "卫生健康委员会", "自然资源和规划局",
    "生态环境局", "住房和城乡建设局", "交通运输局", "民政局", "财政局", "司法局", "农业农村局", "文化和旅游局", "应急管理局",
]

struct Draft {
    var truth: Report
    var errors: [InjectedError] = []
    var slug: String
    var lineEnding: String
    var cellPerLine: Bool
    var headingStyle: Int
    var padStyle: Int
    var fullWidthDigits: Bool
    var zeroAsDash: Bool
    var narrativeApplications: Int64
    var narrativeApplicationsNote: String
    var feeInYuan: Bool
    var isGovernment: Bool
    var reviewSentence: Bool
    /// Tables 3 and 4 written as label + glued digits, one row per line.
    var glued = false

    init(index: Int, rng: inout SeededRandom, errorRate: Double, gluedRate: Double = 0) {
        let year = rng.int(2020...2024)
        let levelRoll = rng.int(0...9)
        let city = rng.pick(cities)
        let district = rng.pick(districts)
        isGovernment = rng.chance(0.08)
        let agency: String
        let region: String
        if isGovernment {
            agency = levelRoll < 5 ? "\(district)人民政府" : "\(city)人民政府"
            region = levelRoll < 5 ? district : city
        } else if levelRoll < 5 {
            agency = district + rng.pick(departments)
            region = district
        } else if levelRoll < 8 {
            agency = city + rng.pick(departments)
            region = city
        } else {
            let province = rng.pick(provinces)
            agency = province + rng.pick(departments).replacingLast("局", with: "厅")
            region = province
        }
        slug = "\(year)"
        lineEnding = rng.chance(0.7) ? "\n" : rng.chance(0.8) ? "\r\n" : "\r"
        cellPerLine = rng.chance(0.6)
        headingStyle = rng.int(0...3)
        padStyle = rng.int(0...3)
        fullWidthDigits = rng.chance(0.05)
        zeroAsDash = rng.chance(0.05)
        feeInYuan = rng.chance(0.2)
        reviewSentence = rng.chance(0.7)

        truth = Report(source: "", status: .ok)
        truth.year = year
        truth.agency = agency
        truth.region = region
        truth.layout = cellPerLine ? .cellPerLine : .tabRows
        truth.sections = [1, 2, 3, 4, 5, 6]
        let dueMonth = isGovernment ? 3 : 1
        truth.published = ReportDate(year: year + 1, month: rng.int(1...dueMonth), day: rng.int(5...28))

        // Table 3: numbers that balance.
        let template3: Template = year == 2020 && rng.chance(0.3) ? .y2019 : .y2021
        var t3 = Table3(template: template3)
        for row in Table3Row.rows(of: template3) { t3.present[row.rawValue] = true }
        let busy = rng.chance(0.3)
        for column in Table3Column.applicants {
            let scale = column == .naturalPerson ? (busy ? 400 : 12) : (busy ? 20 : 2)
            let new = rng.chance(0.5) ? Int64(rng.int(0...scale)) : 0
            let carried = rng.chance(0.3) ? Int64(rng.int(0...max(1, scale / 5))) : 0
            t3[.new, column] = new
            t3[.carriedOver, column] = carried
            var remaining = new + carried
            let forward = remaining > 0 && rng.chance(0.3) ? Int64(rng.int(0...Int(min(remaining, 5)))) : 0
            t3[.carriedForward, column] = forward
            remaining -= forward
            t3[.resultsTotal, column] = remaining
            let results = template3 == .y2021 ? Table3Row.results2021 : Table3Row.results2019
            for row in results { t3[row, column] = 0 }
            // Most go to granted, unable_not_held, partially granted; the rest anywhere.
            while remaining > 0 {
                let chunk = Int64(rng.int(1...Int(max(1, min(remaining, 40)))))
                let row: Table3Row = rng.chance(0.5) ? .granted : rng.chance(0.4) ? .unableNotHeld
                    : rng.chance(0.3) ? .partiallyGranted : rng.pick(results)
                t3[row, column] = (t3[row, column] ?? 0) + chunk
                remaining -= chunk
            }
        }
        for row in t3.rows {
            t3[row, .total] = Table3Column.applicants.reduce(Int64(0)) { $0 + (t3[row, $1] ?? 0) }
        }
        truth.table3 = t3

        // Table 4.
        var t4 = Table4()
        for group in Table4Group.allCases {
            var sum: Int64 = 0
            for column in [Table4Column.upheld, .corrected, .other, .pending] {
                let v: Int64 = rng.chance(0.25) ? Int64(rng.int(0...(busy ? 30 : 3))) : 0
                t4[group, column] = v
                sum += v
            }
            t4[group, .total] = sum
        }
        truth.table4 = t4

        // Table 2.
        let template2: Template = year == 2020 && rng.chance(0.5) ? .y2019 : .y2021
        truth.table2 = Draft.makeTable2(template2, rng: &rng, feeInYuan: feeInYuan)

        // Narrative that agrees with the tables.
        let newTotal = t3[.new, .total] ?? 0
        let carriedTotal = t3[.carriedOver, .total] ?? 0
        if carriedTotal > 0 && rng.chance(0.4) {
            narrativeApplications = newTotal + carriedTotal
            narrativeApplicationsNote = "new_plus_carried_over"
        } else {
            narrativeApplications = newTotal
            narrativeApplicationsNote = "new"
        }
        var narrative = Narrative()
        narrative.proactiveItems = Int64(rng.int(20...3000))
        narrative.applicationsReceived = narrativeApplications
        narrative.applicationsMatched = narrativeApplicationsNote
        if reviewSentence {
            narrative.reviews = t4[.review, .total]
            narrative.lawsuits = (t4[.litigationDirect, .total] ?? 0) + (t4[.litigationAfterReview, .total] ?? 0)
        }
        narrative.penalties = truth.table2?.value("penalty", "decisions")?.count
        narrative.processingFees = Amount(micros: 0)
        truth.narrative = narrative

        if gluedRate > 0 && rng.chance(gluedRate) {
            glued = true
        } else if rng.chance(errorRate) {
            inject(&rng)
        }
    }

    static func makeTable2(_ template: Template, rng: inout SeededRandom, feeInYuan: Bool) -> Table2 {
        var fields: [Table2.Field] = []
        func count(_ max: Int) -> Int64 { rng.chance(0.4) ? Int64(rng.int(0...max)) : 0 }
        switch template {
        case .y2021:
            for row in ["regulations", "normative_documents"] {
                let issued = count(row == "regulations" ? 3 : 30)
                let repealed = count(10)
                let inForce = issued + Int64(rng.int(0...200))
                fields += [.init(row: row, field: "issued", value: .count(issued)),
                           .init(row: row, field: "repealed", value: .count(repealed)),
                           .init(row: row, field: "in_force", value: .count(inForce))]
            }
            fields.append(.init(row: "licensing", field: "decisions", value: .count(count(60000))))
            fields.append(.init(row: "penalty", field: "decisions", value: .count(count(3000))))
            fields.append(.init(row: "enforcement", field: "decisions", value: .count(count(200))))
            let cents = rng.chance(0.4) ? rng.int(0...5_000_000) : 0  // 分 of 万元 × 100: up to 50,000.00 万元
            fields.append(.init(row: "fees", field: "amount_10k_yuan",
                                value: Draft.amount(centsOfWan: cents, inYuan: feeInYuan)))
        case .y2019:
            for row in ["regulations", "normative_documents"] {
                let made = count(20)
                fields += [.init(row: row, field: "new_made", value: .count(made)),
                           .init(row: row, field: "new_published", value: .count(made)),
                           .init(row: row, field: "total_published", value: .count(made + Int64(rng.int(0...100))))]
            }
            for row in ["licensing", "other_services", "penalty", "enforcement"] {
                let prev = count(80)
                let change = Int64(rng.int(-5...9))
                fields += [.init(row: row, field: "prev_count", value: .count(prev)),
                           .init(row: row, field: "change", value: .count(change)),
                           .init(row: row, field: "decisions", value: .count(count(5000)))]
            }
            fields += [.init(row: "fees", field: "prev_count", value: .count(count(10))),
                       .init(row: "fees", field: "change", value: .count(Int64(rng.int(-2...2))))]
            fields += [.init(row: "procurement", field: "projects", value: .count(count(30))),
                       .init(row: "procurement", field: "amount_10k_yuan",
                             value: Draft.amount(centsOfWan: rng.int(0...9_000_000), inYuan: false, unitInCell: true))]
        }
        return Table2(template: template, fields: fields)
    }

    /// An amount as written: `27.66` under a 万元 header, `276600元`, or `232.47万元` in the cell.
    static func amount(centsOfWan: Int, inYuan: Bool, unitInCell: Bool = false) -> Table2Value {
        let micros = Int64(centsOfWan) * 10_000
        let amount = Amount(micros: micros)
        if inYuan {
            let yuan = Int64(centsOfWan) * 100  // 1 分 of 万元 = 100 元
            return .amount(amount, written: "\(yuan)元", unit: "元")
        }
        return .amount(amount, written: unitInCell ? "\(amount)万元" : amount.description, unit: "万元")
    }

    // MARK: Injection

    mutating func inject(_ rng: inout SeededRandom) {
        guard var t3 = truth.table3, var t4 = truth.table4 else { return }
        let kinds = InjectedError.Kind.allCases
        let kind = rng.pick(kinds)
        switch kind {
        case .unbalancedRow:
            // One applicant cell of a result row changes; the row total and the column's results sum no longer hold.
            let row = rng.pick(t3.template == .y2021 ? Table3Row.results2021 : Table3Row.results2019)
            let column = rng.pick(Table3Column.applicants)
            t3[row, column] = (t3[row, column] ?? 0) + Int64(rng.int(1...9))
            errors.append(InjectedError(kind: kind, rule: .table3RowTotal, cell: "table3.\(row.code).total",
                                        collateral: [.table3ResultsSum]))
        case .wrongTotal:
            let delta = Int64(rng.int(1...9))
            t3[.resultsTotal, .total] = (t3[.resultsTotal, .total] ?? 0) + delta
            errors.append(InjectedError(kind: kind, rule: .table3ResultsSum, cell: "table3.results_total.total",
                                        collateral: [.table3RowTotal, .table3Balance]))
        case .wrongTable4Total:
            let group = rng.pick(Table4Group.allCases)
            t4[group, .total] = (t4[group, .total] ?? 0) + Int64(rng.int(1...5))
            errors.append(InjectedError(kind: kind, rule: .table4GroupTotal, cell: "table4.\(group.code).total",
                                        collateral: [.narrativeReviews, .narrativeLawsuits]))
        case .blankCell:
            let row = rng.pick(t3.rows)
            let column = rng.pick(Table3Column.allCases)
            t3[row, column] = nil
            // A blank total leaves the stated applications nothing to match.
            if column == .total && (row == .new || (row == .carriedOver && narrativeApplicationsNote == "new_plus_carried_over")) {
                truth.narrative.applicationsMatched = nil
            }
            errors.append(InjectedError(kind: kind, rule: .cellBlank, cell: "table3.\(row.code).\(column.code)",
                                        collateral: [.narrativeApplications]))
        case .narrativeMismatch:
            let newTotal = t3[.new, .total] ?? 0
            let carried = t3[.carriedOver, .total] ?? 0
            narrativeApplications = newTotal + carried + Int64(rng.int(1...20))
            narrativeApplicationsNote = ""
            truth.narrative.applicationsReceived = narrativeApplications
            truth.narrative.applicationsMatched = nil
            errors.append(InjectedError(kind: kind, rule: .narrativeApplications, cell: "narrative.applications_received",
                                        collateral: []))
        case .outdatedTemplate:
            if (truth.year ?? 0) < 2021 { truth.year = 2022; slug = "2022"; truth.published = ReportDate(year: 2023, month: 1, day: 15) }
            truth.table2 = Draft.makeTable2(.y2019, rng: &rng, feeInYuan: false)
            truth.narrative.penalties = truth.table2?.value("penalty", "decisions")?.count
            errors.append(InjectedError(kind: kind, rule: .outdatedTemplate, cell: "table2", collateral: []))
        case .latePublication:
            let year = truth.year ?? 2022
            truth.published = ReportDate(year: year + 1, month: rng.int(4...11), day: rng.int(1...28))
            errors.append(InjectedError(kind: kind, rule: .latePublication, cell: "published", collateral: []))
        }
        truth.table3 = t3
        truth.table4 = t4
    }
}

extension String {
    fileprivate func replacingLast(_ suffix: String, with replacement: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) + replacement : self
    }
}
