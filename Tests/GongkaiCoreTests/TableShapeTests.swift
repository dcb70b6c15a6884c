import GongkaiCore
import GongkaiCorpus
import GongkaiDecode
import XCTest

/// Table shapes beyond the two seen in the seeds: markdown tables from PDF converters (with row labels
/// detached from their numbers) and table 3 with an extra 法人小计 column.
final class TableShapeTests: XCTestCase {
    /// Generated reports in the tab layout, UTF-8, with their truth.
    func tabReports(_ count: Int) -> [GeneratedReport] {
        let generator = CorpusGenerator(options: .init(seed: 404, errorRate: 0, mixedEncodings: false))
        return (0..<400).lazy.map { generator.report($0) }.filter { $0.layout == .tabRows && $0.lineEnding == "\n" }.prefix(count).map { $0 }
    }

    func isNumber(_ s: Substring) -> Bool {
        let t = s.trimmingCharacters(in: .whitespaces)
        return !t.isEmpty && (t.allSatisfy { $0.isNumber || $0 == "," } || ["—", "无", "/"].contains(t))
    }

    func testMarkdownTablesWithDetachedLabelsReadTheSameValues() throws {
        var checked = 0
        for g in tabReports(40) {
            let text = String(decoding: g.bytes, as: UTF8.self)
            var out: [String] = []
            var rowIndex = 0
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                guard line.contains("\t") else {
                    out.append(String(line))
                    continue
                }
                let cells = line.split(separator: "\t", omittingEmptySubsequences: false)
                rowIndex += 1
                // Every third table-3 data row: the label on its own markdown row, the numbers on the next.
                let numbers = cells.suffix(7)
                let labelled = cells.dropLast(7).contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !isNumber($0) }
                if rowIndex % 3 == 0, cells.count > 7, labelled, numbers.allSatisfy(isNumber) {
                    out.append("| " + cells.dropLast(7).joined(separator: " | ") + " |")
                    out.append("| " + numbers.joined(separator: " | ") + " |")
                } else {
                    out.append("| " + cells.joined(separator: " | ") + " |")
                }
                if rowIndex == 1 { out.append("|---|---|---|") }
            }
            let r = DocumentReader.report(bytes: Array(out.joined(separator: "\n").utf8), source: g.fileName)
            XCTAssertEqual(r.status, .ok, g.fileName)
            XCTAssertEqual(r.table2, g.truth.table2, g.fileName)
            XCTAssertEqual(r.table3, g.truth.table3, g.fileName)
            XCTAssertEqual(r.table4, g.truth.table4, g.fileName)
            XCTAssertEqual(r.findings.map(\.rule), [], g.fileName)
            checked += 1
        }
        XCTAssertGreaterThan(checked, 20)
    }

    func testATable3WithAnOrganisationSubtotalColumnReadsTheCanonicalSevenAndChecksTheSubtotal() throws {
        var checked = 0
        for (n, g) in tabReports(30).enumerated() {
            let text = String(decoding: g.bytes, as: UTF8.self)
            var out: [String] = []
            var tampered = false
            let t3 = try XCTUnwrap(g.truth.table3)
            var dataRow = -1  // counts table-3 data rows once the header with 法律服务机构 is passed
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                var cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
                if cells.contains("法律服务机构") {
                    cells.insert("法人小计", at: cells.firstIndex(of: "其他")! + 1)
                    dataRow = 0
                } else if dataRow >= 0, dataRow < t3.rows.count, cells.count > 7 {
                    let row = t3.rows[dataRow]
                    var subtotal = Table3Column.applicants.dropFirst().reduce(Int64(0)) { $0 + (t3[row, $1] ?? 0) }
                    if n == 0 && row == .new {
                        subtotal += 1  // one wrong subtotal, to be reported
                        tampered = true
                    }
                    cells.insert(String(subtotal), at: cells.count - 1)
                    dataRow += 1
                }
                out.append(cells.joined(separator: "\t"))
            }
            let r = DocumentReader.report(bytes: Array(out.joined(separator: "\n").utf8), source: g.fileName)
            XCTAssertEqual(r.table3, g.truth.table3, g.fileName)
            XCTAssertEqual(r.table4, g.truth.table4, g.fileName)
            if tampered {
                XCTAssertEqual(r.findings.map(\.rule), [.table3OrgSubtotal], g.fileName)
                XCTAssertEqual(r.findings.first?.cells, ["table3.new.org_subtotal"])
            } else {
                XCTAssertEqual(r.findings.map(\.rule), [], g.fileName)
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 10)
    }
}
