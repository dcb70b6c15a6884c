import Foundation
import GongkaiCore
import XCTest

@testable import GongkaiStore

/// Hand-built reports with every field set, for the store's tests.
enum StoreFixtures {
    /// A valid content hash: `n` as 64 lower-case hex digits.
    static func sha(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }

    /// A 2021-format report with all three tables, every metadata and narrative field set, a few
    /// blank cells, and two findings.
    static func report2021(sha256: String, seed: Int64 = 1, agency: String = "某某市交通运输局", year: Int = 2023) -> Report {
        var report = Report(
            source: "/corpus/2021/\(sha256.prefix(8)).docx", sha256: sha256, byteCount: 48_213, status: .ok,
            statusMessage: nil)
        report.format = "docx"
        report.encoding = "utf-8"
        report.layout = .cellPerLine
        report.year = year
        report.agency = agency
        report.region = "浙江省杭州市"
        report.published = ReportDate(year: year + 1, month: 1, day: 20)
        report.sections = [1, 2, 3, 4, 5, 6]

        var table2 = Table2(template: .y2021)
        for (row, fields) in Table2.layout(of: .y2021) {
            for (i, field) in fields.enumerated() {
                let value: Table2Value
                if Table2.isAmount(field: field) {
                    value = .amount(Amount(micros: 27_660_000 + seed), written: "27.66万元", unit: "万元")
                } else {
                    value = .count(seed * 100 + Int64(row.count * 3 + i))
                }
                table2.fields.append(Table2.Field(row: row, field: field, value: value))
            }
        }
        table2.fields[4].value = .count(nil)  // normative_documents.repealed blank
        report.table2 = table2

        var table3 = Table3(template: .y2021)
        for row in Table3Row.rows(of: .y2021) {
            table3.present[row.rawValue] = true
            for column in Table3Column.allCases {
                table3[row, column] = seed * 1_000 + Int64(row.rawValue * 7 + column.rawValue)
            }
        }
        table3[.deniedStateSecret, .research] = nil
        table3[.other, .legalService] = nil
        table3[.otherNoCorrection, .total] = 0
        report.table3 = table3

        var table4 = Table4()
        for group in Table4Group.allCases {
            for column in Table4Column.allCases {
                table4[group, column] = seed * 10 + Int64(group.rawValue * 5 + column.rawValue)
            }
        }
        table4[.litigationAfterReview, .pending] = nil
        report.table4 = table4

        var narrative = Narrative()
        narrative.proactiveItems = 1_234
        narrative.applicationsReceived = 56
        narrative.reviews = 3
        narrative.lawsuits = 2
        narrative.penalties = 789
        narrative.licences = 4_321
        narrative.processingFees = Amount(micros: 25_100)  // 251 元
        narrative.adminFees = Amount(micros: 232_470_000)  // 232.47 万元
        narrative.applicationsMatched = "new_plus_carried_over"
        report.narrative = narrative

        report.findings = [
            Finding(
                rule: .table3Balance, cells: ["table3.new.total", "table3.carried_over.total"],
                message: "第一项加第二项之和 \"91\" 不等于第三项加第四项之和", found: 91, expected: 92.5),
            Finding(rule: .cellBlank, cells: ["table3.denied_state_secret.research"], message: "空白单元格"),
        ]
        return report
    }

    /// A report like seed 004: a 2019 table 2 (with amounts and signed changes) and a 2019 table 3
    /// (23 rows), no table 4, not every section.
    static func report2019(sha256: String, seed: Int64 = 2) -> Report {
        var report = Report(
            source: "/corpus/2019/报告,“引号”.txt", sha256: sha256, byteCount: 9_001, status: .incomplete,
            statusMessage: "table 4 missing")
        report.format = "text"
        report.encoding = "gb18030"
        report.layout = .tabRows
        report.year = 2019
        report.agency = "某县人民政府"
        report.region = nil
        report.published = ReportDate(year: 2020, month: 3, day: 31)
        report.sections = [1, 2, 3, 6]

        var table2 = Table2(template: .y2019)
        for (row, fields) in Table2.layout(of: .y2019) {
            for (i, field) in fields.enumerated() {
                let value: Table2Value
                if Table2.isAmount(field: field) {
                    value = .amount(Amount(micros: 25_100_000 + seed), written: "251000元", unit: "元")
                } else if Table2.isSigned(field: field) {
                    value = .count(-seed - Int64(i))
                } else {
                    value = .count(seed * 7 + Int64(i))
                }
                table2.fields.append(Table2.Field(row: row, field: field, value: value))
            }
        }
        report.table2 = table2

        var table3 = Table3(template: .y2019)
        for row in Table3Row.rows(of: .y2019) {
            table3.present[row.rawValue] = true
            for column in Table3Column.allCases where column != .research {
                table3[row, column] = seed + Int64(row.rawValue)
            }
        }
        report.table3 = table3
        report.table4 = nil
        report.findings = [
            Finding(
                rule: .outdatedTemplate, cells: ["table2"], message: "使用2019年试行格式", found: nil,
                expected: nil)
        ]
        return report
    }

    /// A parsed report with only the figures the summary and cross-report tests look at.
    static func figures(
        sha256: String, agency: String?, year: Int?, region: String? = nil, new: Int64? = nil,
        carriedOver: Int64? = nil, granted: Int64? = nil, resultsTotal: Int64? = nil, carriedForward: Int64? = nil,
        review: (corrected: Int64?, total: Int64?)? = nil, direct: (corrected: Int64?, total: Int64?)? = nil,
        afterReview: (corrected: Int64?, total: Int64?)? = nil,
        regulations: (issued: Int64?, repealed: Int64?, inForce: Int64?)? = nil,
        normative: (issued: Int64?, repealed: Int64?, inForce: Int64?)? = nil,
        errors: Int = 0
    ) -> Report {
        var report = Report(source: "/c/\(sha256.suffix(4)).txt", sha256: sha256, byteCount: 100, status: .ok)
        report.agency = agency
        report.year = year
        report.region = region
        var table3 = Table3(template: .y2021)
        for row in Table3Row.rows(of: .y2021) { table3.present[row.rawValue] = true }
        table3[.new, .total] = new
        table3[.carriedOver, .total] = carriedOver
        table3[.granted, .total] = granted
        table3[.resultsTotal, .total] = resultsTotal
        table3[.carriedForward, .total] = carriedForward
        report.table3 = table3
        var table4 = Table4()
        if let review { (table4[.review, .corrected], table4[.review, .total]) = review }
        if let direct { (table4[.litigationDirect, .corrected], table4[.litigationDirect, .total]) = direct }
        if let afterReview {
            (table4[.litigationAfterReview, .corrected], table4[.litigationAfterReview, .total]) = afterReview
        }
        report.table4 = table4
        var table2 = Table2(template: .y2021)
        for (row, values) in [("regulations", regulations), ("normative_documents", normative)] {
            guard let values else { continue }
            table2.fields.append(Table2.Field(row: row, field: "issued", value: .count(values.issued)))
            table2.fields.append(Table2.Field(row: row, field: "repealed", value: .count(values.repealed)))
            table2.fields.append(Table2.Field(row: row, field: "in_force", value: .count(values.inForce)))
        }
        report.table2 = table2
        report.findings = (0..<errors).map { i in
            Finding(rule: .table3RowTotal, cells: ["table3.new.total"], message: "row \(i)", found: 1, expected: 2)
        }
        return report
    }
}

extension XCTestCase {
    /// A fresh directory under the temporary directory, removed when the test ends.
    func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gongkai-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
