import GongkaiCore
import GongkaiCorpus
import GongkaiDecode
import XCTest

/// A generated corpus read back: every true value recovered, every injected error reported with its rule,
/// and no finding where none was injected.
final class CorpusTests: XCTestCase {
    func testGeneratedCorpusRecoversEveryValueAndEveryInjectedError() throws {
        let generator = CorpusGenerator(options: .init(seed: 2026, errorRate: 0.25))
        var injected = 0
        var kinds = Set<InjectedError.Kind>()
        var encodings = Set<String>()
        var layouts = Set<Layout>()
        var templates = Set<String>()
        let count = 2_500
        for i in 0..<count {
            let g = generator.report(i)
            let r = DocumentReader.report(bytes: g.bytes, source: g.fileName)
            let t = g.truth
            let where_ = "\(g.fileName) (\(g.encoding), \(g.layout.rawValue))"
            XCTAssertEqual(r.status, .ok, where_)
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
                kinds.insert(e.kind)
                XCTAssertTrue(r.findings.contains { $0.rule == e.rule && $0.cells.contains(e.cell) },
                              "\(where_): injected \(e.kind.rawValue) not reported as \(e.rule.rawValue) at \(e.cell); got \(r.findings.map { "\($0.rule.rawValue) \($0.cells)" })")
            }
            let allowed = g.expectedRules
            for f in r.findings {
                XCTAssertTrue(allowed.contains(f.rule), "\(where_): finding \(f.rule.rawValue) where none was injected: \(f.message)")
            }
            encodings.insert(g.encoding)
            layouts.insert(g.layout)
            templates.insert("t2-\(t.table2?.template.rawValue ?? "-") t3-\(t.table3?.template.rawValue ?? "-")")
            if testRun?.failureCount ?? 0 > 20 { return }
        }
        // The corpus must actually vary, or the test proves little.
        XCTAssertGreaterThan(injected, count / 6)
        XCTAssertEqual(kinds, Set(InjectedError.Kind.allCases), "every kind of error injected at least once")
        XCTAssertEqual(encodings, ["utf-8", "utf-8-bom", "gb18030", "utf-16le", "utf-16be"])
        XCTAssertEqual(layouts, [.cellPerLine, .tabRows])
        XCTAssertTrue(templates.contains("t2-2019 t3-2021") && templates.contains("t2-2021 t3-2019") && templates.contains("t2-2021 t3-2021"),
                      "\(templates)")
    }

    func testSameSeedGivesTheSameCorpusByteForByte() {
        let a = CorpusGenerator(options: .init(seed: 5, errorRate: 0.3))
        let b = CorpusGenerator(options: .init(seed: 5, errorRate: 0.3))
        let c = CorpusGenerator(options: .init(seed: 6, errorRate: 0.3))
        var differs = false
        for i in [0, 1, 17, 999] {
            XCTAssertEqual(a.report(i).bytes, b.report(i).bytes)
            XCTAssertEqual(a.report(i).manifestLine(), b.report(i).manifestLine())
            if a.report(i).bytes != c.report(i).bytes { differs = true }
        }
        XCTAssertTrue(differs, "another seed gives another corpus")
    }

    func testGeneratedReportsAreSeedSized() {
        let generator = CorpusGenerator(options: .init(seed: 1, errorRate: 0, mixedEncodings: false))
        let sizes = (0..<200).map { generator.report($0).bytes.count }
        let mean = sizes.reduce(0, +) / sizes.count
        XCTAssertTrue((4_000...10_000).contains(mean), "mean size \(mean) bytes; the seeds are 5.7–7.5 KB")
    }
}
