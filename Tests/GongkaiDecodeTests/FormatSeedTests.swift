import Foundation
import GongkaiCore
@testable import GongkaiDecode
import XCTest

/// Each seed report converted to .docx, .html and .pdf with real tools (scripts/make-format-fixtures.py:
/// LibreOffice for .docx and .pdf, a saved-page template with navigation, GBK and entities for .html) reads
/// to exactly the values of the seed's own text.
final class FormatSeedTests: XCTestCase {
    static let seedPrefixes = ["000", "001", "002", "003", "004"]

    /// Tests/GongkaiCoreTests/Fixtures/seeds, the ground truth (reached through the source tree).
    static var seedDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GongkaiCoreTests/Fixtures/seeds")
    }

    static func seedText(_ prefix: String) throws -> [UInt8] {
        let names = try FileManager.default.contentsOfDirectory(atPath: seedDirectory.path)
        let name = try XCTUnwrap(names.first { $0.hasPrefix(prefix) && $0.hasSuffix(".txt") }, "seed \(prefix)")
        return Array(try Data(contentsOf: seedDirectory.appendingPathComponent(name)))
    }

    static func fixture(_ format: String, _ prefix: String) throws -> [UInt8] {
        let dir = try XCTUnwrap(Bundle.module.url(forResource: format, withExtension: nil, subdirectory: "Fixtures"))
        return Array(try Data(contentsOf: dir.appendingPathComponent("seed\(prefix).\(format)")))
    }

    func assertSameValues(_ r: Report, _ t: Report, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(r.status, t.status, "\(what) status (\(r.statusMessage ?? ""))", file: file, line: line)
        XCTAssertEqual(r.year, t.year, "\(what) year", file: file, line: line)
        XCTAssertEqual(r.agency, t.agency, "\(what) agency", file: file, line: line)
        XCTAssertTrue(r.table2 == t.table2, "\(what) table 2: \(Self.describe(r.table2)) ≠ \(Self.describe(t.table2))", file: file, line: line)
        XCTAssertTrue(r.table3 == t.table3, "\(what) table 3", file: file, line: line)
        XCTAssertTrue(r.table4 == t.table4, "\(what) table 4: \(r.table4?.cells.map { $0.map(String.init) ?? "-" } ?? []) ≠ \(t.table4?.cells.map { $0.map(String.init) ?? "-" } ?? [])", file: file, line: line)
        XCTAssertEqual(r.sections, t.sections, "\(what) sections", file: file, line: line)
        XCTAssertEqual(r.region, t.region, "\(what) region", file: file, line: line)
        XCTAssertEqual(r.published, t.published, "\(what) published", file: file, line: line)
        XCTAssertEqual(r.narrative, t.narrative, "\(what) narrative", file: file, line: line)
        XCTAssertEqual(r.findings.map(\.rule), t.findings.map(\.rule), "\(what) findings", file: file, line: line)
        if r.table3 != t.table3, let a = r.table3, let b = t.table3 {
            for row in Table3Row.allCases where a.has(row) != b.has(row) || Table3Column.allCases.contains(where: { a[row, $0] != b[row, $0] }) {
                XCTFail("\(what) table3.\(row.code): \(Table3Column.allCases.map { a[row, $0] }) present \(a.has(row)), text has \(Table3Column.allCases.map { b[row, $0] }) present \(b.has(row))", file: file, line: line)
            }
        }
    }

    static func describe(_ t: Table2?) -> String {
        guard let t else { return "nil" }
        return "\(t.template.rawValue): " + t.fields.map { f in
            "\(f.row).\(f.field)=\(f.value.count.map(String.init) ?? f.value.written ?? "-")"
        }.joined(separator: " ")
    }

    func check(_ format: String) throws {
        for prefix in Self.seedPrefixes {
            let truth = DocumentReader.report(bytes: try Self.seedText(prefix), source: "seed\(prefix).txt")
            XCTAssertEqual(truth.status, .ok)
            let bytes = try Self.fixture(format, prefix)
            let r = DocumentReader.report(bytes: bytes, source: "seed\(prefix).\(format)")
            XCTAssertEqual(r.format, format, "seed \(prefix)")
            assertSameValues(r, truth, "seed \(prefix) .\(format)")
            if ProcessInfo.processInfo.environment["GONGKAI_DUMP"] != nil {
                let text: [UInt8]
                switch format {
                case "docx": text = (try? DocxConverter.convert(bytes).get().utf8) ?? []
                case "html": text = (try? HTMLConverter.convert(bytes).get().utf8) ?? []
                default: text = (try? PDFConverter.convert(bytes, file: nil, options: ReadOptions()).get().utf8) ?? []
                }
                try Data(text).write(to: URL(fileURLWithPath: "/tmp/gkdump/seed\(prefix).\(format).txt"))
            }
        }
    }

    func testDocxFixturesReadAsTheSeedText() throws { try check("docx") }
    func testHTMLFixturesReadAsTheSeedText() throws { try check("html") }
    func testPDFFixturesReadAsTheSeedText() throws {
        try XCTSkipIf(PdfToText.locate(nil) == nil, "pdftotext is not installed (Debian poppler-utils; scripts/setup.sh installs it)")
        try check("pdf")
    }
}
