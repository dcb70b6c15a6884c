import GongkaiCore
import GongkaiCorpus
import GongkaiDecode
import XCTest

/// Rows whose cells lost their separators, split by the rows' own sums.
final class GluedTests: XCTestCase {
    func digits(_ s: String) -> [UInt8] { Array(s.utf8) }

    func testTheIssuesExampleSplitsUniquely() {
        XCTAssertEqual(GluedDigits.split(digits("801000081"), shape: .table3Row), .unique([80, 1, 0, 0, 0, 0, 81]))
        XCTAssertEqual(GluedDigits.split(digits("0000000"), shape: .table3Row), .unique([0, 0, 0, 0, 0, 0, 0]))
        XCTAssertEqual(GluedDigits.split(digits("000002010300000"), shape: .table4Row),
                       .unique([0, 0, 0, 0, 0, 2, 0, 1, 0, 3, 0, 0, 0, 0, 0]))
    }

    func testSeveralBalancingSplitsAreAmbiguousAndNoneIsNone() {
        // 11,0,0,0,0,1,12 and 1,10,0,0,0,1,12 read the same once glued.
        guard case .ambiguous(let candidates) = GluedDigits.split(digits("110000112"), shape: .table3Row) else {
            return XCTFail("expected ambiguous")
        }
        XCTAssertEqual(Set(candidates.map { $0 }), [[11, 0, 0, 0, 0, 1, 12], [1, 10, 0, 0, 0, 1, 12]])
        XCTAssertEqual(GluedDigits.split(digits("1000003"), shape: .table3Row), .none, "1 ≠ 3: nothing balances")
        XCTAssertEqual(GluedDigits.split(digits("123"), shape: .table3Row), .none, "too few digits")
    }

    func testAGluedRowInTextIsReadWithAFindingThatSaysSo() {
        let text = """
            某局2023年政府信息公开工作年度报告
            三、收到和处理政府信息公开申请情况
            一、本年新收政府信息公开申请数量801000081
            二、上年结转政府信息公开申请数量110000112
            """
        let r = ReportParser.parse(utf8: Array(text.utf8), source: "glued")
        let t3 = r.table3
        XCTAssertEqual(Table3Column.allCases.map { t3?[.new, $0] }, [80, 1, 0, 0, 0, 0, 81])
        XCTAssertEqual(Table3Column.allCases.map { t3?[.carriedOver, $0] }, Array(repeating: nil, count: 7))
        XCTAssertTrue(r.findings.contains { $0.rule == .gluedSplit && $0.cells == ["table3.new"] })
        let ambiguous = r.findings.first { $0.rule == .gluedAmbiguous }
        XCTAssertEqual(ambiguous?.cells.first, "table3.carried_over.natural_person")
        XCTAssertTrue(ambiguous?.message.contains("110000112") ?? false)
    }

    func testGluedCorpusRecoversEveryUniqueSplitAndReportsTheAmbiguousOnes() {
        let generator = CorpusGenerator(options: .init(seed: 77, errorRate: 0, mixedEncodings: true, gluedRate: 1))
        var unique = 0, ambiguous = 0
        for i in 0..<600 {
            let g = generator.report(i)
            XCTAssertTrue(g.glued)
            let r = DocumentReader.report(bytes: g.bytes, source: g.fileName)
            XCTAssertEqual(r.status, .ok, g.fileName)
            XCTAssertEqual(r.table2, g.truth.table2, g.fileName)
            XCTAssertEqual(r.table3, g.truth.table3, g.fileName)
            XCTAssertEqual(r.table4, g.truth.table4, g.fileName)
            XCTAssertEqual(r.agency, g.truth.agency, g.fileName)
            for f in r.findings {
                XCTAssertTrue(g.expectedRules.contains(f.rule), "\(g.fileName): \(f.rule.rawValue) \(f.message)")
            }
            unique += r.findings.filter { $0.rule == .gluedSplit }.count
            ambiguous += r.findings.filter { $0.rule == .gluedAmbiguous }.count
            // Every blanked row of the truth is reported as ambiguous.
            if let t3 = g.truth.table3 {
                for row in t3.rows where t3[row, .total] == nil {
                    XCTAssertTrue(r.findings.contains { $0.rule == .gluedAmbiguous && $0.cells.first == "table3.\(row.code).natural_person" },
                                  "\(g.fileName): \(row.code)")
                }
            }
            if testRun?.failureCount ?? 0 > 10 { return }
        }
        XCTAssertGreaterThan(unique, 600 * 20, "most rows split uniquely")
        XCTAssertGreaterThan(ambiguous, 0, "some rows are ambiguous and said to be")
    }
}
