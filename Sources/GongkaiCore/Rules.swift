// The validation rules: stable codes, severities and what each checks.

/// A validation rule. The raw value is the stable code that findings, the store and scripts use.
public enum Rule: String, Sendable, Hashable, CaseIterable, Codable {
    // Arithmetic the document itself states.
    /// 第一项加第二项之和，等于第三项加第四项之和: new + carried_over = results_total + carried_forward.
    case table3Balance = "table3.balance"
    /// results_total = sum of the result rows (21 in 2021, 19 in 2019).
    case table3ResultsSum = "table3.results_sum"
    /// total = sum of the six applicant columns, per row.
    case table3RowTotal = "table3.row_total"
    /// A 法人小计 column, where a table has one: it equals the five organisation columns.
    case table3OrgSubtotal = "table3.org_subtotal"
    /// Each table 4 group: total = upheld + corrected + other + pending.
    case table4GroupTotal = "table4.group_total"

    // Cells.
    /// A blank cell where a number is due (blank is null, never 0).
    case cellBlank = "cell.blank"
    /// A cell that holds text that is not a number.
    case cellNotNumber = "cell.not_number"
    /// A negative number in a count.
    case cellNegative = "cell.negative"
    /// A fraction in a count.
    case cellFraction = "cell.fraction"

    // Narrative against tables.
    case narrativeApplications = "narrative.applications"
    case narrativeReviews = "narrative.reviews"
    case narrativeLawsuits = "narrative.lawsuits"
    case narrativePenalties = "narrative.penalties"
    case narrativeLicences = "narrative.licences"
    case narrativeFees = "narrative.fees"

    // Structure.
    case missingSection = "structure.missing_section"
    case missingTable = "structure.missing_table"
    case outdatedTemplate = "structure.outdated_template"
    case latePublication = "structure.late_publication"

    // Extraction (we could not read it with certainty).
    /// A row of a table that was found could not be located.
    case rowMissing = "extract.row_missing"
    /// A row had more or fewer cells than the template.
    case cellCount = "extract.cell_count"
    /// A row's cells were glued together (`801000081`) and split by the row's own sums: the one split that balances.
    case gluedSplit = "extract.glued_split"
    /// A glued row had more than one split that balances (or none): its cells are left blank.
    case gluedAmbiguous = "extract.glued_ambiguous"

    // Across reports (evaluated by the store).
    /// carried_over this year = carried_forward last year, same agency.
    case crossCarryOver = "cross.carry_over"
    /// in_force this year = last year's in_force + issued − repealed.
    case crossInForce = "cross.in_force"

    public var severity: Severity {
        switch self {
        case .table3Balance, .table3ResultsSum, .table3RowTotal, .table3OrgSubtotal, .table4GroupTotal, .missingTable,
            .cellNotNumber, .cellNegative, .cellFraction:
            return .error
        case .gluedSplit:
            return .info
        case .cellBlank, .gluedAmbiguous, .narrativeApplications, .narrativeReviews, .narrativeLawsuits, .narrativePenalties,
            .narrativeLicences, .narrativeFees, .missingSection, .outdatedTemplate, .latePublication,
            .rowMissing, .cellCount, .crossCarryOver, .crossInForce:
            return .warning
        }
    }

    public var kind: FindingKind {
        switch self {
        case .rowMissing, .cellCount, .gluedSplit, .gluedAmbiguous: return .extraction
        default: return .document
        }
    }

    /// One line for people: what the rule checks.
    public var summary: String {
        switch self {
        case .table3Balance: return "表三 第一项加第二项之和等于第三项加第四项之和 (new + carried_over = results_total + carried_forward)"
        case .table3ResultsSum: return "表三 办理结果总计等于各项之和 (results_total = sum of result rows)"
        case .table3RowTotal: return "表三 总计列等于各申请人列之和 (total = sum of applicant columns)"
        case .table3OrgSubtotal: return "表三 法人小计等于五类法人或其他组织之和"
        case .table4GroupTotal: return "表四 总计等于维持、纠正、其他、尚未审结之和"
        case .cellBlank: return "空白单元格 (blank cell where a number is due)"
        case .cellNotNumber: return "单元格不是数字 (cell is not a number)"
        case .cellNegative: return "计数为负数 (negative count)"
        case .cellFraction: return "计数含小数 (fraction in a count)"
        case .narrativeApplications: return "正文所述收到申请数与表三不符"
        case .narrativeReviews: return "正文所述行政复议数与表四不符"
        case .narrativeLawsuits: return "正文所述行政诉讼数与表四不符"
        case .narrativePenalties: return "正文所述行政处罚数与表二不符"
        case .narrativeLicences: return "正文所述行政许可数与表二不符"
        case .narrativeFees: return "正文所述收费金额与表二不符"
        case .missingSection: return "缺少必备章节 (mandatory section missing)"
        case .missingTable: return "缺少必备表格 (mandatory table missing)"
        case .outdatedTemplate: return "使用2019年试行格式 (outdated 2019 template)"
        case .latePublication: return "发布日期晚于规定期限 (published after the deadline)"
        case .rowMissing: return "未能识别表格行 (row could not be located)"
        case .cellCount: return "行的单元格数与模板不符 (unexpected cell count)"
        case .gluedSplit: return "单元格数字连在一起，已按行内总计唯一拆分 (glued cells split by the row's sums)"
        case .gluedAmbiguous: return "单元格数字连在一起，无法唯一拆分 (glued cells, ambiguous split)"
        case .crossCarryOver: return "本年上年结转数与上一年度结转下年度数不符"
        case .crossInForce: return "现行有效件数与上一年度数及本年制发、废止数不符"
        }
    }
}
