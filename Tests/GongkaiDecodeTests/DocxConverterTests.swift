import Foundation
import GongkaiCore
@testable import GongkaiDecode
import XCTest

/// WordprocessingML read to paragraphs and tab rows: merged cells, several paragraphs in a cell, text boxes,
/// tabs and breaks, nested tables, tracked changes; fuzzed XML never crashes.
final class DocxConverterTests: XCTestCase {
    private let ns = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\""

    private func docx(_ body: String, prefix: String = "w") throws -> [UInt8] {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document \(ns)><w:body>\(body)</w:body></w:document>"
        if prefix != "w" {
            xml = xml.replacingOccurrences(of: "<w:", with: "<\(prefix):").replacingOccurrences(of: "</w:", with: "</\(prefix):")
                .replacingOccurrences(of: "xmlns:w=", with: "xmlns:\(prefix)=").replacingOccurrences(of: " w:", with: " \(prefix):")
        }
        return try XCTUnwrap(ZipWriter.archive([
            ("[Content_Types].xml", Array("<Types/>".utf8)),
            ("_rels/.rels", Array(#"<Relationships><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/word/main.xml"/></Relationships>"#.utf8)),
            ("word/main.xml", Array(xml.utf8)),
        ]))
    }

    private func p(_ text: String) -> String { "<w:p><w:r><w:t>\(text)</w:t></w:r></w:p>" }
    private func tc(_ content: String, _ props: String = "") -> String { "<w:tc><w:tcPr>\(props)</w:tcPr>\(content)</w:tc>" }

    private func lines(_ bytes: [UInt8]) throws -> [String] {
        String(decoding: try DocxConverter.convert(bytes).get().utf8, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func testMergedCellsBecomeEmptyCellsAndCellParagraphsAreJoined() throws {
        let table = "<w:tbl><w:tblPr><w:tblW w:w=\"0\"/></w:tblPr><w:tblGrid><w:gridCol/></w:tblGrid>"
            + "<w:tr>" + tc(p("三、本年度办理结果"), "<w:vMerge w:val=\"restart\"/>") + tc(p("（一）予以公开"), "<w:gridSpan w:val=\"2\"/>") + tc(p("5")) + "</w:tr>"
            + "<w:tr>" + tc("<w:p/>", "<w:vMerge/>") + tc(p("商业") + p("企业")) + tc(p("1.属于国家秘密")) + tc(p("0")) + "</w:tr>"
            + "<w:tr><w:trPr><w:gridBefore w:val=\"1\"/><w:gridAfter w:val=\"1\"/></w:trPr>" + tc(p("2.重复申请")) + tc(p("7")) + "</w:tr>"
            + "</w:tbl>"
        XCTAssertEqual(try lines(try docx(p("一、总体情况") + table)), [
            "一、总体情况",
            "三、本年度办理结果\t\t（一）予以公开\t5",
            "\t商业企业\t1.属于国家秘密\t0",
            "\t2.重复申请\t7\t",
        ])
    }

    func testTabsBreaksRunsTextBoxesAndDeletedTextAreReadAsAWordUserSeesThem() throws {
        let body = "<w:p><w:pPr><w:tabs><w:tab w:val=\"left\" w:pos=\"420\"/></w:tabs></w:pPr>"
            + "<w:r><w:t xml:space=\"preserve\">一、</w:t></w:r><w:proofErr w:type=\"spellStart\"/><w:r><w:t>总体</w:t></w:r><w:r><w:t>情况</w:t></w:r></w:p>"
            + "<w:p><w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙 &amp; 丁</w:t></w:r>"
            + "<w:del><w:r><w:delText>删除的文字</w:delText></w:r></w:del><w:ins><w:r><w:t>插入</w:t></w:r></w:ins>"
            + "<w:r><w:instrText>PAGE</w:instrText></w:r></w:p>"
            + "<w:p><w:r><mc:AlternateContent xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><mc:Choice Requires=\"wps\">"
            + "<w:drawing><wps:txbx xmlns:wps=\"x\"><w:txbxContent>\(p("文本框里的字"))</w:txbxContent></wps:txbx></w:drawing></mc:Choice>"
            + "<mc:Fallback><w:pict><v:textbox xmlns:v=\"v\"><w:txbxContent>\(p("文本框里的字"))</w:txbxContent></v:textbox></w:pict></mc:Fallback>"
            + "</mc:AlternateContent></w:r><w:r><w:t>正文</w:t></w:r></w:p>"
            + "<w:sectPr><w:pgSz w:w=\"11906\"/></w:sectPr>"
        XCTAssertEqual(try lines(try docx(body)), ["一、总体情况", "甲 乙", "丙 & 丁插入", "正文"])
    }

    func testANestedTableIsReadAsTheTablesItHolds() throws {
        let inner = "<w:tbl><w:tr>" + tc(p("规章")) + tc(p("0")) + "</w:tr><w:tr>" + tc(p("行政许可")) + tc(p("18")) + "</w:tr></w:tbl>"
        let outer = "<w:tbl><w:tr>" + tc(p("二、主动公开政府信息情况") + inner + p("说明")) + "</w:tr></w:tbl>"
        XCTAssertEqual(try lines(try docx(outer)), ["二、主动公开政府信息情况", "规章\t0", "行政许可\t18", "说明"])
    }

    func testTheNamespacePrefixIsReadFromTheRootElement() throws {
        XCTAssertEqual(try lines(try docx(p("一、总体情况"), prefix: "wx")), ["一、总体情况"])
    }

    func testFuzzedXMLNeverCrashes() throws {
        let real = try FormatSeedTests.fixture("docx", "004")
        // The real document part, mutated and re-packed, so that the XML scanner (not zlib) sees the damage.
        let archiveXML = try XCTUnwrap(ZipExtract.documentXML(real))
        let debris = ["<", ">", "</w:tc>", "<w:tc>", "</w:tbl>", "<w:tbl>", "<w:gridSpan w:val=\"99999\"/>", "&", "&#x110000;",
                      "<!--", "<![CDATA[", "\"", "<w:t>", "</w:p>", "<w:vMerge/>", "<w:txbxContent>"].map { Array($0.utf8) }
        var rng = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var xml = archiveXML
            for _ in 0..<Int.random(in: 1...10, using: &rng) {
                switch Int.random(in: 0...2, using: &rng) {
                case 0: xml.insert(contentsOf: debris.randomElement(using: &rng) ?? [], at: Int.random(in: 0...xml.count, using: &rng))
                case 1: if !xml.isEmpty { xml = Array(xml[0..<Int.random(in: 0..<xml.count, using: &rng)]) }
                default: if !xml.isEmpty { xml[Int.random(in: 0..<xml.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
                }
            }
            let zip = try XCTUnwrap(ZipWriter.archive([("word/document.xml", xml)]))
            let r = DocumentReader.report(bytes: zip, source: "fuzz-\(round).docx")
            XCTAssertEqual(r.format, "docx", "round \(round)")
        }
        let deep = String(repeating: "<w:tbl><w:tr><w:tc>", count: 5000) + p("一、总体情况")
        XCTAssertNoThrow(try DocxConverter.convert(try docx(deep)).get())
    }
}

/// The main document part of a .docx, for tests that change it.
enum ZipExtract {
    static func documentXML(_ docx: [UInt8]) -> [UInt8]? {
        DocxConverter.extractPart(docx, path: "word/document.xml")
    }
}
