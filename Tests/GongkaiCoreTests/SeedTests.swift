import Foundation
import GongkaiCore
import GongkaiDecode
import XCTest

/// The five real reports in Fixtures/seeds: every cell, template, year and agency.
final class SeedTests: XCTestCase {
    static func seedURL(_ prefix: String) throws -> URL {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: "seeds", withExtension: nil, subdirectory: "Fixtures"))
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        let name = try XCTUnwrap(names.first { $0.hasPrefix(prefix) }, "seed \(prefix) missing")
        return dir.appendingPathComponent(name)
    }

    static func seed(_ prefix: String) throws -> Report {
        DocumentReader.report(path: try seedURL(prefix).path)
    }

    static func seedBytes(_ prefix: String) throws -> [UInt8] {
        Array(try Data(contentsOf: seedURL(prefix)))
    }

    /// Asserts all 25×7 cells: `nonZero` lists rows with their 7 values; every other present row is all 0.
    func assertTable3(_ t: Table3?, template: Template, nonZero: [Table3Row: [Int64?]], file: StaticString = #filePath, line: UInt = #line) {
        guard let t else { return XCTFail("table 3 missing", file: file, line: line) }
        XCTAssertEqual(t.template, template, file: file, line: line)
        XCTAssertEqual(t.rows, Table3Row.rows(of: template), "rows present", file: file, line: line)
        for row in Table3Row.rows(of: template) {
            let expected = nonZero[row] ?? Array(repeating: 0, count: 7)
            let actual = Table3Column.allCases.map { t[row, $0] }
            XCTAssertEqual(actual, expected, "table3.\(row.code)", file: file, line: line)
        }
    }

    func assertTable4(_ t: Table4?, _ expected: [Int64?], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(t?.cells, expected, "table 4", file: file, line: line)
    }

    func assertTable2(_ t: Table2?, template: Template, _ expected: [String: Int64], fees: String? = nil,
                      file: StaticString = #filePath, line: UInt = #line) {
        guard let t else { return XCTFail("table 2 missing", file: file, line: line) }
        XCTAssertEqual(t.template, template, file: file, line: line)
        let layout = Table2.layout(of: template)
        XCTAssertEqual(t.fields.map { "\($0.row).\($0.field)" }, layout.flatMap { r in r.fields.map { "\(r.row).\($0)" } },
                       "every field of the template, in order", file: file, line: line)
        for f in t.fields {
            let key = "\(f.row).\(f.field)"
            if f.value.kind == .amount {
                XCTAssertEqual(f.value.amount?.description, fees ?? "0", key, file: file, line: line)
            } else {
                XCTAssertEqual(f.value.count, expected[key] ?? 0, key, file: file, line: line)
            }
        }
    }

    let zeros4: [Int64?] = Array(repeating: 0, count: 15)

    func testSeed000ReadsEveryCellAndBalances() throws {
        let r = try Self.seed("000")
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(r.agency, "硚口区人力资源局")
        XCTAssertEqual(r.year, 2022)
        XCTAssertEqual(r.region, "武汉市硚口区")
        XCTAssertEqual(r.published, ReportDate(year: 2023, month: 1, day: 5))
        XCTAssertEqual(r.layout, .cellPerLine)
        XCTAssertEqual(r.sections, [1, 2, 3, 4, 5, 6])
        assertTable2(r.table2, template: .y2021, ["penalty.decisions": 4])
        assertTable3(r.table3, template: .y2021, nonZero: [
            .new: [1, 0, 0, 0, 0, 0, 1], .unableNotHeld: [1, 0, 0, 0, 0, 0, 1], .resultsTotal: [1, 0, 0, 0, 0, 0, 1],
        ])
        assertTable4(r.table4, zeros4)
        XCTAssertEqual(r.narrative.proactiveItems, 199)
        XCTAssertEqual(r.narrative.applicationsReceived, 1)
        XCTAssertEqual(r.narrative.applicationsMatched, "new")
        XCTAssertEqual(r.narrative.penalties, 4)
        XCTAssertEqual(r.narrative.reviews, 0)
        XCTAssertEqual(r.narrative.lawsuits, 0)
        XCTAssertEqual(r.narrative.processingFees, Amount(micros: 0))
        XCTAssertEqual(r.findings, [], "a balanced report has no findings")
    }

    func testSeed001TabRowsReadEveryCell() throws {
        let r = try Self.seed("001")
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(r.agency, "牧野区人力资源和社会保障局")
        XCTAssertEqual(r.year, 2023)
        XCTAssertEqual(r.region, "牧野区")
        XCTAssertEqual(r.layout, .tabRows)
        assertTable2(r.table2, template: .y2021, ["licensing.decisions": 18, "penalty.decisions": 17], fees: "27.66")
        XCTAssertEqual(r.table2?.value("fees", "amount_10k_yuan")?.unit, "万元")
        assertTable3(r.table3, template: .y2021, nonZero: [:])
        assertTable4(r.table4, zeros4)
        XCTAssertEqual(r.findings.filter { $0.severity == .error }, [])
        XCTAssertEqual(r.findings, [])
    }

    func testSeed002PaddedCellsReadEveryCell() throws {
        let r = try Self.seed("002")
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(r.agency, "硚口区机关事务服务中心")
        XCTAssertEqual(r.year, 2022)
        XCTAssertEqual(r.published, ReportDate(year: 2023, month: 1, day: 5))
        assertTable2(r.table2, template: .y2021, [:])
        assertTable3(r.table3, template: .y2021, nonZero: [:])
        assertTable4(r.table4, zeros4)
        XCTAssertEqual(r.narrative.applicationsReceived, 0, "中心未收到依申请公开事项")
        XCTAssertEqual(r.findings, [])
    }

    func testSeed003BlankRowFourIsABlankCellFinding() throws {
        let r = try Self.seed("003")
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(r.agency, "武汉市人力资源和社会保障局东湖新技术开发区分局")
        XCTAssertEqual(r.year, 2023)
        XCTAssertEqual(r.region, "武汉市")
        assertTable2(r.table2, template: .y2021, ["licensing.decisions": 656])
        assertTable3(r.table3, template: .y2021, nonZero: [.carriedForward: Array(repeating: nil, count: 7)])
        assertTable4(r.table4, zeros4)
        XCTAssertEqual(r.narrative.licences, 656)
        XCTAssertEqual(r.findings.map(\.rule), [.cellBlank], "only the blank row, and no arithmetic on blanks")
        XCTAssertEqual(r.findings.first?.cells, Table3Column.allCases.map { "table3.carried_forward.\($0.code)" })
        XCTAssertEqual(r.findings.first?.severity, .warning)
    }

    func testSeed004Has2019Table2And2021Table3WithOutdatedWarning() throws {
        let r = try Self.seed("004")
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(r.agency, "梅州市人力资源和社会保障局")
        XCTAssertEqual(r.year, 2022)
        XCTAssertEqual(r.region, "梅州市")
        assertTable2(r.table2, template: .y2019, [
            "normative_documents.new_made": 1, "normative_documents.new_published": 1, "normative_documents.total_published": 10,
            "licensing.prev_count": 43, "licensing.change": 8, "licensing.decisions": 51, "fees.prev_count": 2,
            "procurement.projects": 7,
        ], fees: "232.47")
        let procurement = r.table2?.value("procurement", "amount_10k_yuan")
        XCTAssertEqual(procurement?.written, "232.47万元", "the written amount is kept with its unit")
        XCTAssertEqual(procurement?.unit, "万元")
        assertTable3(r.table3, template: .y2021, nonZero: [
            .new: [9, 0, 0, 0, 0, 0, 9], .carriedOver: [1, 0, 0, 0, 0, 0, 1], .granted: [9, 0, 0, 0, 0, 0, 9],
            .rejectedDuplicate: [1, 0, 0, 0, 0, 0, 1], .resultsTotal: [10, 0, 0, 0, 0, 0, 10],
        ])
        assertTable4(r.table4, [0, 0, 0, 0, 0, 2, 0, 1, 0, 3, 0, 0, 0, 0, 0])
        XCTAssertEqual(r.narrative.applicationsReceived, 9)
        XCTAssertEqual(r.findings.map(\.rule), [.outdatedTemplate])
        XCTAssertEqual(r.findings.first?.cells, ["table2"])
    }

    func testSeedJSONHasTheDocumentedKeysAndParses() throws {
        let r = try Self.seed("004")
        for pretty in [false, true] {
            let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.jsonBytes(pretty: pretty))) as? [String: Any])
            for key in ["source", "sha256", "status", "year", "agency", "published", "table2", "table3", "table4", "narrative", "findings"] {
                XCTAssertNotNil(json[key], key)
            }
            let t3 = try XCTUnwrap(json["table3"] as? [String: Any])
            XCTAssertEqual(t3["template"] as? String, "2021")
            let rows = try XCTUnwrap(t3["rows"] as? [String: [String: Any]])
            XCTAssertEqual(rows["results_total"]?["natural_person"] as? Int, 10)
            XCTAssertEqual(rows.count, 25)
            let t2 = try XCTUnwrap(json["table2"] as? [String: Any])
            let procurement = try XCTUnwrap((t2["rows"] as? [String: [String: Any]])?["procurement"])
            XCTAssertEqual(procurement["amount_10k_yuan"] as? Double, 232.47)
            XCTAssertEqual(procurement["written"] as? String, "232.47万元")
            let findings = try XCTUnwrap(json["findings"] as? [[String: Any]])
            XCTAssertEqual(findings.first?["rule"] as? String, "structure.outdated_template")
            XCTAssertEqual((json["sha256"] as? String)?.count, 64)
        }
        let blank = try Self.seed("003")
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(blank.jsonBytes())) as? [String: Any])
        let row = try XCTUnwrap(((json["table3"] as? [String: Any])?["rows"] as? [String: Any])?["carried_forward"] as? [String: Any])
        XCTAssertTrue(row["total"] is NSNull, "blank is null, never 0")
    }

    func testSeedsParseTheSameInEveryEncodingAndLineEnding() throws {
        for prefix in ["000", "001", "002", "003", "004"] {
            let bytes = try Self.seedBytes(prefix)
            let reference = ReportParser.parse(utf8: bytes, source: "x")
            let text = String(decoding: bytes, as: UTF8.self)
            var variants: [(String, [UInt8])] = [
                ("bom", [0xEF, 0xBB, 0xBF] + bytes),
                ("crlf", Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)),
                ("cr", Array(text.replacingOccurrences(of: "\n", with: "\r").utf8)),
                ("utf16le", [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }),
                ("utf16be", [0xFE, 0xFF] + text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }),
            ]
            if let gb = GB18030.encode(bytes) { variants.append(("gb18030", gb)) }
            XCTAssertEqual(variants.count, 6, "GB18030 encoder available")
            for (name, variant) in variants {
                let r = DocumentReader.report(bytes: variant, source: "x")
                XCTAssertEqual(r.status, reference.status, "\(prefix) \(name)")
                XCTAssertEqual(r.table2, reference.table2, "\(prefix) \(name)")
                XCTAssertEqual(r.table3, reference.table3, "\(prefix) \(name)")
                XCTAssertEqual(r.table4, reference.table4, "\(prefix) \(name)")
                XCTAssertEqual(r.agency, reference.agency, "\(prefix) \(name)")
                XCTAssertEqual(r.findings, reference.findings, "\(prefix) \(name)")
            }
            XCTAssertEqual(DocumentReader.report(bytes: GB18030.encode(bytes)!, source: "x").encoding, "gb18030")
        }
    }
}
