import Foundation
import GongkaiCore
@testable import GongkaiDecode
import XCTest

/// PDFs through pdftotext: no text layer, damage, a missing pdftotext, bytes from another host; and the
/// layout converter's units (page furniture, repeated headers, split labels, blank rows).
final class PDFConverterTests: XCTestCase {
    /// A valid one-page PDF that draws a rectangle and holds no text, as a scan without OCR does.
    static func pdfWithoutText() -> [UInt8] {
        var out = "%PDF-1.4\n"
        var offsets: [Int] = []
        let content = "0 0 1 rg 100 100 200 300 re f\n"
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
            "<< /Length \(content.utf8.count) >>\nstream\n\(content)endstream",
        ]
        for (k, object) in objects.enumerated() {
            offsets.append(out.utf8.count)
            out += "\(k + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = out.utf8.count
        out += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for o in offsets { out += String(repeating: "0", count: 10 - String(o).count) + "\(o) 00000 n \n" }
        out += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Array(out.utf8)
    }

    private func requirePdftotext() throws {
        try XCTSkipIf(PdfToText.locate(nil) == nil, "pdftotext is not installed (Debian poppler-utils; scripts/setup.sh installs it)")
    }

    func testAPDFWithNoTextLayerIsRefusedAsAScan() throws {
        try requirePdftotext()
        let r = DocumentReader.report(bytes: Self.pdfWithoutText(), source: "scan.pdf")
        XCTAssertEqual(r.status, .unsupportedFormat)
        XCTAssertEqual(r.format, "pdf")
        XCTAssertEqual(r.statusMessage?.contains("scanned PDF without a text layer"), true, r.statusMessage ?? "")
    }

    func testADamagedPDFGetsAClearStatus() throws {
        try requirePdftotext()
        let good = try FormatSeedTests.fixture("pdf", "001")
        for bytes in [Array("%PDF-1.7\n garbage".utf8), Array(good[0..<(good.count / 3)])] {
            let r = DocumentReader.report(bytes: bytes, source: "bad.pdf")
            XCTAssertEqual(r.status, .unsupportedFormat, r.statusMessage ?? "")
            XCTAssertEqual(r.format, "pdf")
            XCTAssertNotNil(r.statusMessage)
        }
    }

    func testAMissingPdftotextNamesThePackageToInstall() throws {
        let options = ReadOptions(pdftotextPath: "/nonexistent/pdftotext")
        let r = DocumentReader.report(bytes: try FormatSeedTests.fixture("pdf", "000"), source: "a.pdf", options: options)
        XCTAssertEqual(r.status, .unsupportedFormat)
        XCTAssertTrue(r.statusMessage?.contains("poppler-utils") ?? false, r.statusMessage ?? "")
    }

    func testBytesFromAnotherHostAndAFileReadTheSame() throws {
        try requirePdftotext()
        let bytes = try FormatSeedTests.fixture("pdf", "004")
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("-gk-\(UUID().uuidString).pdf")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(bytes).write(to: url)
        let fromFile = DocumentReader.report(path: url.path)
        let fromBytes = DocumentReader.report(bytes: bytes, source: url.path)
        XCTAssertEqual(fromFile.status, .ok)
        XCTAssertEqual(fromFile.table3, fromBytes.table3)
        XCTAssertEqual(fromFile.table2, fromBytes.table2)
        XCTAssertEqual(fromFile.sha256, fromBytes.sha256)
        // The private temporary file is gone afterwards.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("gongkai-pdf-") }
        XCTAssertEqual(leftovers, [])
    }

    func testATimeoutKillsPdftotext() throws {
        // A stand-in for a pdftotext that hangs.
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("gk-slow-\(UUID().uuidString).sh")
        defer { try? FileManager.default.removeItem(at: script) }
        try "#!/bin/sh\nexec sleep 30\n".write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: script.path)
        let start = ContinuousClock.now
        let r = DocumentReader.report(bytes: Array("%PDF-1.4\n".utf8), source: "slow.pdf",
                                      options: ReadOptions(pdfTimeout: .milliseconds(300), pdftotextPath: script.path))
        XCTAssertEqual(r.status, .unsupportedFormat)
        XCTAssertTrue(r.statusMessage?.contains("timed out") ?? false, r.statusMessage ?? "")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(10))
    }

    // MARK: Layout

    private func layout(_ pages: [String]) -> [String] {
        String(decoding: PDFLayout.convert(Array(pages.joined(separator: "\u{0C}").utf8)), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    func testPageNumbersRepeatedHeadersAndSplitLabelsAreHandled() {
        let page1 = """
                          申请人情况
            （本列数据的勾稽关系）   自然人   商业企业   总计
              一、本年新收政府信息公开申请数量        1       0       1
                    （一）予以公开           2       0       2
              5.要求行政机关确认或重新出
                                            3       0       3
                     具已获取信息

                                 — 1 —
            """
        let page2 = """
                          申请人情况
            （本列数据的勾稽关系）   自然人   商业企业   总计
                    （七）总计                 4       0       4
                 四、结转下年度继续办理
            四、政府信息公开行政复议、行政诉讼情况
                               第 2 页 共 2 页
            """
        XCTAssertEqual(layout([page1, page2]), [
            "申请人情况\t",
            "（本列数据的勾稽关系）\t自然人\t商业企业\t总计",
            "一、本年新收政府信息公开申请数量\t1\t0\t1",
            "（一）予以公开\t2\t0\t2",
            "5.要求行政机关确认或重新出具已获取信息\t3\t0\t3",
            "（七）总计\t4\t0\t4",
            "四、结转下年度继续办理\t",
            "四、政府信息公开行政复议、行政诉讼情况",
        ])
    }

    func testParagraphsAreJoinedAcrossLinesAndPages() {
        let line = String(repeating: "一", count: 38)
        let page1 = "  第一段开头\(line)\n\(line)很长\n结尾。\n  二、主动公开政府信息情况\n  第二段\(line)\n"
        let page2 = "\(line)续。\n"
        XCTAssertEqual(layout([page1, page2]), [
            "第一段开头\(line)\(line)很长结尾。",
            "二、主动公开政府信息情况",
            "第二段\(line)\(line)续。",
        ])
    }

    func testNumbersOneSpaceApartAreSeparateCells() {
        let line = Line(Array("结果  22 0  —  无 /  232.47 万元".unicodeScalars), page: 0)
        XCTAssertEqual(line.segments.map { String(String.UnicodeScalarView($0.text)) }, ["结果", "22", "0", "—", "无", "/", "232.47 万元"])
        XCTAssertTrue(line.segments.dropFirst().allSatisfy(\.isNumber))
    }
}
