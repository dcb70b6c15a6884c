// The validation rules of DESIGN.md that one report can check on its own. A blank operand makes a sum
// uncheckable (the blank is already a finding of its own); it never counts as 0.

public enum Validator {
    /// Adds arithmetic, narrative and structure findings to a parsed report.
    public static func validate(_ report: inout Report) {
        guard report.status.isParsed else { return }
        var out: [Finding] = []
        if let t3 = report.table3 { checkTable3(t3, &out) }
        if let t4 = report.table4 { checkTable4(t4, &out) }
        checkNarrative(&report, &out)
        checkStructure(report, &out)
        report.findings.append(contentsOf: out)
    }

    // MARK: Table 3

    static func checkTable3(_ t: Table3, _ out: inout [Finding]) {
        let results = t.template == .y2021 ? Table3Row.results2021 : Table3Row.results2019
        for column in Table3Column.allCases {
            // new + carried_over = results_total + carried_forward
            if let a = t[.new, column], let c = t[.carriedOver, column], let r = t[.resultsTotal, column],
                let f = t[.carriedForward, column], a + c != r + f
            {
                out.append(Finding(
                    rule: .table3Balance,
                    cells: ["table3.new.\(column.code)", "table3.carried_over.\(column.code)",
                            "table3.results_total.\(column.code)", "table3.carried_forward.\(column.code)"],
                    message: "表三“\(column.label)”列：第一项加第二项 \(a)+\(c)=\(a + c)，第三项加第四项 \(r)+\(f)=\(r + f)，不相等",
                    found: Double(r + f), expected: Double(a + c)))
            }
            // results_total = sum of the result rows
            if let total = t[.resultsTotal, column] {
                var sum: Int64 = 0
                var complete = true
                for row in results where t.has(row) {
                    guard let v = t[row, column] else { complete = false; break }
                    sum += v
                }
                if complete && sum != total {
                    out.append(Finding(
                        rule: .table3ResultsSum,
                        cells: ["table3.results_total.\(column.code)"],
                        message: "表三“\(column.label)”列：办理结果总计为 \(total)，各项之和为 \(sum)",
                        found: Double(total), expected: Double(sum)))
                }
            }
        }
        // total = sum of the six applicant columns
        for row in t.rows {
            guard let total = t[row, .total] else { continue }
            var sum: Int64 = 0
            var complete = true
            for column in Table3Column.applicants {
                guard let v = t[row, column] else { complete = false; break }
                sum += v
            }
            if complete && sum != total {
                out.append(Finding(
                    rule: .table3RowTotal,
                    cells: ["table3.\(row.code).total"],
                    message: "表三“\(row.label)”行：总计为 \(total)，各申请人之和为 \(sum)",
                    found: Double(total), expected: Double(sum)))
            }
        }
    }

    // MARK: Table 4

    static func checkTable4(_ t: Table4, _ out: inout [Finding]) {
        for group in Table4Group.allCases {
            guard let total = t[group, .total], let u = t[group, .upheld], let c = t[group, .corrected],
                let o = t[group, .other], let p = t[group, .pending]
            else { continue }
            let sum = u + c + o + p
            if sum != total {
                out.append(Finding(
                    rule: .table4GroupTotal,
                    cells: ["table4.\(group.code).total"],
                    message: "表四“\(group.label)”：总计为 \(total)，维持、纠正、其他、尚未审结之和为 \(sum)",
                    found: Double(total), expected: Double(sum)))
            }
        }
    }

    // MARK: Narrative

    static func checkNarrative(_ report: inout Report, _ out: inout [Finding]) {
        let n = report.narrative
        if let stated = n.applicationsReceived, let t3 = report.table3, let new = t3[.new, .total] {
            let withCarried = t3[.carriedOver, .total].map { new + $0 }
            if stated == new {
                report.narrative.applicationsMatched = "new"
            } else if let withCarried, stated == withCarried {
                report.narrative.applicationsMatched = "new_plus_carried_over"
            } else {
                out.append(Finding(
                    rule: .narrativeApplications, cells: ["narrative.applications_received", "table3.new.total"],
                    message: "正文称收到申请 \(stated) 件，表三本年新收 \(new)" + (withCarried.map { "（含上年结转 \($0)）" } ?? ""),
                    found: Double(stated), expected: Double(new)))
            }
        }
        if let t4 = report.table4 {
            if let stated = n.reviews, let total = t4[.review, .total], stated != total {
                out.append(Finding(rule: .narrativeReviews, cells: ["narrative.reviews", "table4.review.total"],
                                   message: "正文称行政复议 \(stated) 件，表四为 \(total)", found: Double(stated), expected: Double(total)))
            }
            if let stated = n.lawsuits, let d = t4[.litigationDirect, .total], let a = t4[.litigationAfterReview, .total],
                stated != d + a
            {
                out.append(Finding(rule: .narrativeLawsuits,
                                   cells: ["narrative.lawsuits", "table4.litigation_direct.total", "table4.litigation_after_review.total"],
                                   message: "正文称行政诉讼 \(stated) 件，表四直接起诉与复议后起诉合计 \(d + a)",
                                   found: Double(stated), expected: Double(d + a)))
            }
        }
        if let t2 = report.table2 {
            if let stated = n.penalties, let v = t2.value("penalty", "decisions")?.count, stated != v {
                out.append(Finding(rule: .narrativePenalties, cells: ["narrative.penalties", "table2.penalty.decisions"],
                                   message: "正文称行政处罚 \(stated) 件，表二为 \(v)", found: Double(stated), expected: Double(v)))
            }
            if let stated = n.licences, let v = t2.value("licensing", "decisions")?.count, stated != v {
                out.append(Finding(rule: .narrativeLicences, cells: ["narrative.licences", "table2.licensing.decisions"],
                                   message: "正文称行政许可 \(stated) 件，表二为 \(v)", found: Double(stated), expected: Double(v)))
            }
            if let stated = n.adminFees, let v = t2.value("fees", "amount_10k_yuan")?.amount, stated != v {
                out.append(Finding(rule: .narrativeFees, cells: ["narrative.admin_fees", "table2.fees.amount_10k_yuan"],
                                   message: "正文称行政事业性收费 \(stated) 万元，表二为 \(v) 万元",
                                   found: stated.tenThousandYuan, expected: v.tenThousandYuan))
            }
        }
    }

    // MARK: Structure

    static func checkStructure(_ report: Report, _ out: inout [Finding]) {
        let missing = (1...6).filter { !report.sections.contains($0) }
        if !missing.isEmpty {
            let names = ["", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                         "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
            out.append(Finding(rule: .missingSection, cells: missing.map { "section.\($0)" },
                               message: "缺少章节：" + missing.map { names[$0] }.joined(separator: "；")))
        }
        if report.table2 == nil {
            out.append(Finding(rule: .missingTable, cells: ["table2"], message: "缺少表二 主动公开政府信息情况"))
        }
        if report.table3 == nil {
            out.append(Finding(rule: .missingTable, cells: ["table3"], message: "缺少表三 收到和处理政府信息公开申请情况"))
        }
        if report.table4 == nil {
            out.append(Finding(rule: .missingTable, cells: ["table4"], message: "缺少表四 政府信息公开行政复议、行政诉讼情况"))
        }
        if let year = report.year, year >= 2021 {
            if report.table2?.template == .y2019 {
                out.append(Finding(rule: .outdatedTemplate, cells: ["table2"],
                                   message: "\(year)年度报告的表二使用了2019年试行格式（本年新制作数量/上一年项目数量），应使用2021年格式"))
            }
            if report.table3?.template == .y2019 {
                out.append(Finding(rule: .outdatedTemplate, cells: ["table3"],
                                   message: "\(year)年度报告的表三使用了2019年试行格式（其他处理为一行），应使用2021年格式"))
            }
        }
        if let year = report.year, let published = report.published {
            // A county-or-higher government's own report is due by 31 March; a department's by 31 January.
            let isGovernment = report.agency.map { $0.hasSuffix("人民政府") || $0.hasSuffix("政府") } ?? false
            let due = ReportDate(year: year + 1, month: isGovernment ? 3 : 1, day: 31)
            if published > due {
                out.append(Finding(rule: .latePublication, cells: ["published"],
                                   message: "发布日期 \(published) 晚于规定期限 \(due)（\(isGovernment ? "政府本级报告3月31日" : "部门报告1月31日")）"))
            }
        }
    }
}
