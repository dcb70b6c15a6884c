// Writing a drafted report as text, in the shapes real reports take.

import GongkaiCore
import GongkaiDecode

extension Draft {
    mutating func render(_ rng: inout SeededRandom) -> String {
        let year = truth.year ?? 2022
        let agency = truth.agency ?? "某机关"
        var lines: [String] = []
        func para(_ s: String) { lines.append(s) }
        func filler() -> String { rng.pick(fillerSentences) + "。" }

        // Title: one or two lines, year after or before the agency.
        let titleStyle = rng.int(0...3)
        switch titleStyle {
        case 0: para("\(agency)\(year)年政府信息公开工作年度报告")
        case 1:
            para("\(agency)\(year)年度政府")
            para("信息公开工作年度报告")
        case 2: para("\(agency) \(year) 年政府信息公开工作年度报告")
        default: para("\(agency)\(year)年政府信息公开")
            para("工作年度报告")
        }
        para("")
        if rng.chance(0.4) {
            para("根据《中华人民共和国政府信息公开条例》规定，现公布\(agency)\(year)年政府信息公开工作年度报告。")
        }

        // 一、总体情况
        para(heading(1, &rng))
        para(filler() + filler())
        para("（一）主动公开情况")
        para("\(year)年，本机关主动公开政府信息\(truth.narrative.proactiveItems ?? 0)条，" + filler())
        para("（二）依申请公开情况")
        if narrativeApplications == 0 && rng.chance(0.5) {
            para("\(year)年，本机关未收到政府信息公开申请。")
        } else {
            para("\(year)年，本机关共收到政府信息公开申请\(narrativeApplications)\(rng.chance(0.5) ? "件" : "项")，均已按期答复。")
        }
        para("（三）政府信息管理情况")
        para(filler() + filler())
        para("（四）平台建设情况")
        para(filler())
        para("（五）监督保障情况")
        para(filler() + filler())

        // 二、主动公开政府信息情况
        para(heading(2, &rng))
        if let p = truth.narrative.penalties, rng.chance(0.6) {
            para("\(year)年，本机关作出行政处罚决定\(p)件。")
        } else {
            truth.narrative.penalties = nil
        }
        lines.append(contentsOf: table(rows: table2Rows(&rng), &rng))
        para("")

        // 三、收到和处理政府信息公开申请情况
        para(heading(3, &rng))
        lines.append(contentsOf: glued ? gluedLines(table3Rows(&rng), table: 3) : table(rows: table3Rows(&rng), &rng))
        para("")

        // 四、政府信息公开行政复议、行政诉讼情况
        para(heading(4, &rng))
        if reviewSentence {
            let r = truth.narrative.reviews ?? 0
            let l = truth.narrative.lawsuits ?? 0
            if r == 0 && l == 0 {
                para("\(year)年度，本机关未发生因政府信息公开引起的行政复议、行政诉讼案件。")
            } else {
                para("\(year)年度，本机关因政府信息公开被申请行政复议\(r)件，被提起行政诉讼\(l)件。")
            }
        }
        lines.append(contentsOf: glued ? gluedLines(table4Rows(&rng), table: 4) : table(rows: table4Rows(&rng), &rng))
        para("")

        // 五、六
        para(heading(5, &rng))
        para("（一）存在的主要问题：" + filler() + filler())
        para("（二）改进情况：" + filler() + filler() + filler())
        para(heading(6, &rng))
        para("本机关\(year)年度未收取信息处理费。")
        para(filler())
        para("")
        para(truth.agency ?? "")
        if let d = truth.published {
            para(rng.chance(0.8) ? "\(d.year)年\(d.month)月\(d.day)日" : d.description)
        }
        return lines.joined(separator: lineEnding) + lineEnding
    }

    // MARK: Headings

    func heading(_ n: Int, _ rng: inout SeededRandom) -> String {
        let titles = ["", "总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
                      "政府信息公开行政复议、行政诉讼情况", rng.chance(0.5) ? "存在的主要问题及改进情况" : "存在的主要问题和改进措施",
                      "其他需要报告的事项"]
        let chinese = ["", "一", "二", "三", "四", "五", "六"]
        switch headingStyle {
        case 0: return "\(chinese[n])、\(titles[n])"
        case 1: return "\(n)、 \(titles[n])"
        case 2: return (n == 3 ? "[bookmark: _GoBack]" : "") + "\(chinese[n])、 \(titles[n])"
        default: return "　　\(chinese[n])、\(titles[n])"
        }
    }

    // MARK: Cells

    func number(_ v: Int64?, _ rng: inout SeededRandom, signed: Bool = false) -> String {
        guard let v else { return "" }
        var text: String
        if v == 0 && zeroAsDash {
            text = rng.pick(["—", "无", "/", "0"])
        } else if v >= 1000 && rng.chance(0.3) {
            let s = String(v)
            var out = ""
            for (i, c) in s.enumerated() {
                if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
                out.append(c)
            }
            text = out
        } else {
            text = signed && v > 0 && rng.chance(0.5) ? "+\(v)" : String(v)
        }
        if fullWidthDigits {
            text = String(String.UnicodeScalarView(text.unicodeScalars.map {
                $0.value >= 0x30 && $0.value <= 0x39 ? Unicode.Scalar($0.value - 0x30 + 0xFF10)! : $0
            }))
        }
        switch padStyle {
        case 1: return "　　" + text
        case 2: return "\u{00A0}" + text
        case 3: return text + "  "
        default: return text
        }
    }

    /// Rows of cells as lines: one cell per line with blank lines between rows, or one row per line.
    func table(rows: [[String]], _ rng: inout SeededRandom) -> [String] {
        var out: [String] = []
        if cellPerLine {
            for row in rows {
                for cell in row { out.append("\t" + cell) }
                out.append("")
            }
        } else {
            for row in rows {
                // Multi-line cells become one line in the tab layout.
                out.append(row.map { String($0.filter { $0 != "\n" }) }.joined(separator: "\t"))
            }
        }
        return out
    }

    /// Rows as a web page copy gives them: every cell of a row run together on one line. Where the digits
    /// of a row admit more than one balancing split, the truth is what a reader can know: blank cells.
    mutating func gluedLines(_ rows: [[String]], table: Int) -> [String] {
        // Header rows keep their labels; data rows are their labels followed by the plain digits of the values
        // (padding, dashes and separators do not survive a web copy in this form).
        var out: [String] = []
        let headerCount = 3  // both tables have three header rows
        let dataValues: [[Int64]]
        if table == 3, let t3 = truth.table3 {
            dataValues = t3.rows.map { row in Table3Column.allCases.map { t3[row, $0] ?? 0 } }
        } else if let t4 = truth.table4 {
            dataValues = [t4.cells.map { $0 ?? 0 }]
        } else {
            dataValues = []
        }
        for (index, row) in rows.enumerated() {
            let cells = row.map { String($0.filter { $0 != "\n" }) }
            if index < headerCount {
                out.append(cells.joined())
                continue
            }
            let values = dataValues[index - headerCount]
            out.append(cells.dropLast(values.count).joined() + GluedDigits.glue(values))
        }
        if table == 3, var t3 = truth.table3 {
            for row in t3.rows {
                let values = Table3Column.allCases.map { t3[row, $0] ?? 0 }
                if case .unique = GluedDigits.split(Array(GluedDigits.glue(values).utf8), shape: .table3Row) { continue }
                for column in Table3Column.allCases { t3[row, column] = nil }
                if column3Blanked(row) { truth.narrative.applicationsMatched = nil }
            }
            truth.table3 = t3
        }
        if table == 4, let t4 = truth.table4 {
            let values = t4.cells.map { $0 ?? 0 }
            if case .unique = GluedDigits.split(Array(GluedDigits.glue(values).utf8), shape: .table4Row) {} else {
                truth.table4 = Table4()
            }
        }
        return out
    }

    private func column3Blanked(_ row: Table3Row) -> Bool {
        row == .new || (row == .carriedOver && narrativeApplicationsNote == "new_plus_carried_over")
    }

    func split(_ label: String) -> String {
        // Word wraps narrow header cells: 商业\n企业.
        cellPerLine && label.count == 4 ? String(label.prefix(2)) + "\n" + String(label.suffix(2)) : label
    }

    mutating func table2Rows(_ rng: inout SeededRandom) -> [[String]] {
        guard let t2 = truth.table2 else { return [] }
        func v(_ row: String, _ field: String) -> Table2Value? { t2.value(row, field) }
        func count(_ row: String, _ field: String, signed: Bool = false) -> String {
            number(v(row, field)?.count, &rng, signed: signed)
        }
        func written(_ row: String, _ field: String) -> String { v(row, field)?.written ?? "" }
        switch t2.template {
        case .y2021:
            return [
                ["第二十条第（一）项"],
                ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                ["规章", count("regulations", "issued"), count("regulations", "repealed"), count("regulations", "in_force")],
                ["行政规范性文件", count("normative_documents", "issued"), count("normative_documents", "repealed"),
                 count("normative_documents", "in_force")],
                ["第二十条第（五）项"],
                ["信息内容", "本年处理决定数量"],
                ["行政许可", count("licensing", "decisions")],
                ["第二十条第（六）项"],
                ["信息内容", "本年处理决定数量"],
                ["行政处罚", count("penalty", "decisions")],
                ["行政强制", count("enforcement", "decisions")],
                ["第二十条第（八）项"],
                ["信息内容", "本年收费金额（单位：万元）"],
                ["行政事业性收费", written("fees", "amount_10k_yuan")],
            ]
        case .y2019:
            let header = ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"]
            return [
                ["第二十条第（一）项"],
                ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数"],
                ["规章", count("regulations", "new_made"), count("regulations", "new_published"), count("regulations", "total_published")],
                ["规范性文件", count("normative_documents", "new_made"), count("normative_documents", "new_published"),
                 count("normative_documents", "total_published")],
                ["第二十条第（五）项"],
                header,
                ["行政许可", count("licensing", "prev_count"), count("licensing", "change", signed: true), count("licensing", "decisions")],
                [cellPerLine ? "其他对外管理\n服务事项" : "其他对外管理服务事项", count("other_services", "prev_count"),
                 count("other_services", "change", signed: true), count("other_services", "decisions")],
                ["第二十条第（六）项"],
                header,
                ["行政处罚", count("penalty", "prev_count"), count("penalty", "change", signed: true), count("penalty", "decisions")],
                ["行政强制", count("enforcement", "prev_count"), count("enforcement", "change", signed: true), count("enforcement", "decisions")],
                ["第二十条第（八）项"],
                ["信息内容", "上一年项目数量", "本年增/减"],
                ["行政事业性收费", count("fees", "prev_count"), count("fees", "change", signed: true)],
                ["第二十条第（九）项"],
                ["信息内容", "采购项目数量", "采购总金额"],
                ["政府集中采购", count("procurement", "projects"), written("procurement", "amount_10k_yuan")],
            ]
        }
    }

    mutating func table3Rows(_ rng: inout SeededRandom) -> [[String]] {
        guard let t3 = truth.table3 else { return [] }
        var rows: [[String]] = [
            ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
            ["", "自然人", "法人或其他组织", "总计"],
            ["", "", split("商业企业"), split("科研机构"), "社会公益组织", "法律服务机构", "其他", ""],
        ]
        func values(_ row: Table3Row) -> [String] { Table3Column.allCases.map { number(t3[row, $0], &rng) } }
        let groups: [Table3Row: String] = [
            .deniedStateSecret: "（三）不予公开", .unableNotHeld: "（四）无法提供", .rejectedPetitionComplaint: "（五）不予处理",
            .otherNoCorrection: "（六）其他处理",
        ]
        for row in t3.rows {
            switch row {
            case .new, .carriedForward: rows.append([row.label] + values(row))
            case .carriedOver: rows.append([row.label] + values(row))
            case .granted: rows.append(["三、本年度办理结果", row.label] + values(row))
            case .partiallyGranted: rows.append(["", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"] + values(row))
            case .resultsTotal: rows.append(["", row.label] + values(row))
            case .other where t3.template == .y2019: rows.append(["", "（六）其他处理"] + values(row))
            default:
                rows.append(["", groups[row] ?? ""] + [row.label] + values(row))
            }
        }
        if !cellPerLine {
            // The tab layout of real reports drops the empty spacer cells before labels.
            rows = rows.map { row in
                var r = row
                while r.count > 8, r.first == "" { r.removeFirst() }
                return r
            }
        }
        return rows
    }

    mutating func table4Rows(_ rng: inout SeededRandom) -> [[String]] {
        guard let t4 = truth.table4 else { return [] }
        let five = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"].map(split)
        return [
            ["行政复议", "行政诉讼"],
            five + ["未经复议直接起诉", "复议后起诉"],
            ["", "", "", "", ""] + five + five,
            t4.cells.map { number($0, &rng) },
        ]
    }
}

private let fillerSentences = [
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署",
    "围绕中心工作，深化重点领域信息公开，加强政策解读和回应关切，不断提升政务公开质量和实效",
    "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”原则，确保公开内容准确规范",
    "依托政府门户网站、政务新媒体等平台，及时发布工作动态、通知公告、政策文件等信息",
    "进一步规范依申请公开办理流程，严格按照法定时限和程序答复，切实保障申请人合法权益",
    "加强政府信息公开平台建设，优化栏目设置，提升网站信息发布的及时性、准确性和便民性",
    "将政务公开工作纳入年度绩效考核，明确分管领导和专人负责，形成一级抓一级、层层抓落实的工作格局",
    "组织开展政务公开业务培训，提高工作人员的业务能力和依法公开意识",
    "聚焦群众关切，做好就业创业、社会保障、营商环境等领域信息公开，积极回应社会关切",
    "主动接受社会监督，畅通意见建议渠道，认真对待群众反映的问题并及时整改",
]

/// Text → bytes in the encodings real files arrive in.
enum Encoder {
    static func encode(_ text: String, as encoding: String) -> [UInt8] {
        switch encoding {
        case "utf-8-bom": return [0xEF, 0xBB, 0xBF] + Array(text.utf8)
        case "gb18030": return GB18030.encode(Array(text.utf8)) ?? Array(text.utf8)
        case "utf-16le", "utf-16be":
            let le = encoding == "utf-16le"
            var out: [UInt8] = le ? [0xFF, 0xFE] : [0xFE, 0xFF]
            for unit in text.utf16 {
                let hi = UInt8(unit >> 8), lo = UInt8(unit & 0xFF)
                if le { out.append(lo); out.append(hi) } else { out.append(hi); out.append(lo) }
            }
            return out
        default: return Array(text.utf8)
        }
    }
}
