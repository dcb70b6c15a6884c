import GongkaiCore
import GongkaiCorpus
import GongkaiDecode
import XCTest

/// A generated corpus of text, .docx and web pages read back: every true value recovered from every format,
/// every injected error reported, and no finding where none was injected (the assertions of
/// GongkaiCoreTests/CorpusTests, per format).
final class MixedCorpusTests: XCTestCase {
    func testMixedCorpusOfTextDocxAndHTMLRecoversEveryValue() throws {
        let generator = CorpusGenerator(options: .init(seed: 77, errorRate: 0.25, formats: .equal([.txt, .docx, .html])))
        var formats: [DocumentFormat: Int] = [:]
        var encodings = Set<String>()
        var injected = 0
        let count = 600
        for i in 0..<count {
            // Given a generated report in some format
            let g = generator.report(i)
            // When it is read by content (the name plays no part)
            let r = DocumentReader.report(bytes: g.bytes, source: g.fileName)
            // Then every value written is recovered
            let t = g.truth
            let where_ = "\(g.fileName) (\(g.format.rawValue), \(g.encoding))"
            XCTAssertEqual(r.status, .ok, "\(where_): \(r.statusMessage ?? "")")
            XCTAssertEqual(r.format, g.format == .txt ? "text" : g.format.rawValue, where_)
            XCTAssertEqual(r.encoding, g.encoding, where_)
            XCTAssertEqual(r.layout, t.layout, where_)
            XCTAssertEqual(r.year, t.year, where_)
            XCTAssertEqual(r.agency, t.agency, where_)
            XCTAssertEqual(r.region, t.region, where_)
            XCTAssertEqual(r.published, t.published, where_)
            XCTAssertEqual(r.sections, t.sections, where_)
            XCTAssertEqual(r.table2, t.table2, where_)
            XCTAssertEqual(r.table3, t.table3, where_)
            XCTAssertEqual(r.table4, t.table4, where_)
            XCTAssertEqual(r.narrative, t.narrative, where_)
            for e in g.errors {
                injected += 1
                XCTAssertTrue(r.findings.contains { $0.rule == e.rule && $0.cells.contains(e.cell) },
                              "\(where_): injected \(e.kind.rawValue) not reported as \(e.rule.rawValue) at \(e.cell)")
            }
            for f in r.findings {
                XCTAssertTrue(g.expectedRules.contains(f.rule), "\(where_): finding \(f.rule.rawValue) where none was injected: \(f.message)")
            }
            formats[g.format, default: 0] += 1
            encodings.insert("\(g.format.rawValue)/\(g.encoding)")
            if testRun?.failureCount ?? 0 > 20 { return }
        }
        // The corpus must actually mix formats, or the test proves little.
        for format in [DocumentFormat.txt, .docx, .html] {
            XCTAssertGreaterThan(formats[format, default: 0], count / 5, "\(format): \(formats)")
        }
        XCTAssertTrue(encodings.contains("html/gb18030") && encodings.contains("html/utf-8"), "\(encodings)")
        XCTAssertGreaterThan(injected, count / 8)
    }

    func testFormatsAreChosenApartFromContentSoTextCorporaDoNotChange() {
        // Given the same seed with and without formats
        let text = CorpusGenerator(options: .init(seed: 5, errorRate: 0.3))
        let mixed = CorpusGenerator(options: .init(seed: 5, errorRate: 0.3, formats: .equal([.txt, .docx, .html])))
        var sawOther = false
        for i in 0..<60 {
            let a = text.report(i), b = mixed.report(i)
            // Then a report written as text is the same bytes, and every report has the same truth
            if b.format == .txt { XCTAssertEqual(a.bytes, b.bytes, "report \(i)") } else { sawOther = true }
            XCTAssertEqual(a.truth.table3, b.truth.table3, "report \(i)")
            XCTAssertEqual(a.truth.agency, b.truth.agency, "report \(i)")
            // And the same seed gives the same .docx/.html bytes
            XCTAssertEqual(b.bytes, mixed.report(i).bytes, "report \(i) is deterministic")
            XCTAssertTrue(String(decoding: b.manifestLine(), as: UTF8.self).contains("\"format\":\"\(b.format.rawValue)\""))
        }
        XCTAssertTrue(sawOther)
    }
}
