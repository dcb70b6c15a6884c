import Foundation
import GongkaiCore
@testable import GongkaiDecode
import XCTest

/// Formats are told apart by content, never by name; formats that cannot be read say so.
final class FormatDetectionTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("gk-formats-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: dir)
    }

    private func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    func testADocxNamedTxtIsStillReadAsDocx() throws {
        // Given a real .docx saved under a .txt name
        let docx = try FormatSeedTests.fixture("docx", "000")
        // When it is read from its path
        let r = DocumentReader.report(path: try write("report.txt", docx))
        // Then the content decides
        XCTAssertEqual(r.format, "docx")
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(r.agency, "硚口区人力资源局")
    }

    func testHTMLAndPDFAreFoundByContentUnderAnyName() throws {
        let html = DocumentReader.report(path: try write("a.doc", try FormatSeedTests.fixture("html", "001")))
        XCTAssertEqual(html.format, "html")
        XCTAssertEqual(html.status, .ok)
        XCTAssertEqual(Sniffer.kind(Array("  \n<!DOCTYPE html><p>x".utf8)), .html)
        XCTAssertEqual(Sniffer.kind(Array("<table><tr><td>1</td></tr></table>".utf8)), .html)
        XCTAssertEqual(Sniffer.kind(Array("<2022年> 不是网页".utf8)), .other, "a leading < alone is not markup")
        XCTAssertEqual(Sniffer.kind(Array("一、总体情况\n<p>".utf8)), .other, "text that mentions a tag later is text")
        XCTAssertEqual(Sniffer.kind(Array("%PDF-1.7\n".utf8)), .pdf)
        XCTAssertEqual(Sniffer.kind([0x50, 0x4B, 0x03, 0x04, 0, 0]), .zip)
        XCTAssertEqual(Sniffer.kind(Array("一、总体情况".utf8)), .other)
    }

    func testLegacyDocAndRTFAreRefusedWithAMessage() throws {
        let ole: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + [UInt8](repeating: 0, count: 512)
        let doc = DocumentReader.report(path: try write("report.docx", ole))
        XCTAssertEqual(doc.status, .unsupportedFormat)
        XCTAssertEqual(doc.format, "doc")
        XCTAssertTrue(doc.statusMessage?.contains(".doc") ?? false, doc.statusMessage ?? "")
        let rtf = DocumentReader.report(bytes: Array("{\\rtf1\\ansi 一、总体情况}".utf8), source: "x.rtf")
        XCTAssertEqual(rtf.status, .unsupportedFormat)
        XCTAssertTrue(rtf.statusMessage?.contains("RTF") ?? false)
    }

    func testCorruptAndTruncatedZipsGetAClearStatusNeverACrash() throws {
        let docx = try FormatSeedTests.fixture("docx", "002")
        // Truncated anywhere: never a crash, never "ok" with made-up values.
        for cut in stride(from: 4, to: docx.count, by: 97) {
            let r = DocumentReader.report(bytes: Array(docx[0..<cut]), source: "cut-\(cut).docx")
            XCTAssertEqual(r.status, .unsupportedFormat, "cut at \(cut)")
            XCTAssertNotNil(r.statusMessage)
        }
        // Damaged inside the deflated document part: the CRC check catches it.
        var damaged = docx
        let archive = try XCTUnwrap(ZipWriterTestSupport.offsetOfEntryData(docx, path: "word/document.xml"))
        for k in 0..<64 { damaged[archive + 40 + k] ^= 0x5A }
        let r = DocumentReader.report(bytes: damaged, source: "damaged.docx")
        XCTAssertEqual(r.status, .unsupportedFormat)
        XCTAssertEqual(r.format, "docx")
        XCTAssertTrue(r.statusMessage?.contains("document.xml") ?? false, r.statusMessage ?? "")
    }

    func testTheCRCThatChecksDocumentPartsIsTheZIPCRC() {
        XCTAssertEqual(ZipCRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
        XCTAssertEqual(ZipCRC32.checksum([]), 0)
        let long = (0..<10_007).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var bitwise: UInt32 = 0xFFFF_FFFF
        for byte in long {
            bitwise ^= UInt32(byte)
            for _ in 0..<8 { bitwise = bitwise & 1 != 0 ? 0xEDB8_8320 ^ (bitwise >> 1) : bitwise >> 1 }
        }
        XCTAssertEqual(ZipCRC32.checksum(long), ~bitwise)
    }

    func testZipsThatAreNotWordDocumentsSaySoByName() throws {
        let xlsx = try XCTUnwrap(ZipWriter.archive([("xl/workbook.xml", Array("<workbook/>".utf8))]))
        let r = DocumentReader.report(bytes: xlsx, source: "a.docx")
        XCTAssertEqual(r.status, .unsupportedFormat)
        XCTAssertTrue(r.statusMessage?.contains("Excel") ?? false, r.statusMessage ?? "")
        let odt = try XCTUnwrap(ZipWriter.archive([("mimetype", Array("application/vnd.oasis.opendocument.text".utf8)),
                                                  ("content.xml", Array("<office:document/>".utf8))]))
        XCTAssertTrue(DocumentReader.report(bytes: odt, source: "a.odt").statusMessage?.contains(".odt") ?? false)
        let plain = try XCTUnwrap(ZipWriter.archive([("readme.txt", Array("一、总体情况".utf8))]))
        XCTAssertEqual(DocumentReader.report(bytes: plain, source: "a.zip").status, .unsupportedFormat)
    }

    func testAWordDocumentWithNoTextIsEmpty() throws {
        let xml = #"<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p/></w:body></w:document>"#
        let docx = try XCTUnwrap(ZipWriter.archive([("word/document.xml", Array(xml.utf8))]))
        let r = DocumentReader.report(bytes: docx, source: "blank.docx")
        XCTAssertEqual(r.status, .empty)
        XCTAssertEqual(r.format, "docx")
    }
}

/// Finds where an entry's data starts in a ZIP file (to damage it on purpose).
enum ZipWriterTestSupport {
    static func offsetOfEntryData(_ zip: [UInt8], path: String) -> Int? {
        let name = Array(path.utf8)
        var i = 0
        while i + 30 < zip.count {
            if zip[i] == 0x50, zip[i + 1] == 0x4B, zip[i + 2] == 0x03, zip[i + 3] == 0x04 {
                let nameLength = Int(zip[i + 26]) | Int(zip[i + 27]) << 8
                let extraLength = Int(zip[i + 28]) | Int(zip[i + 29]) << 8
                if i + 30 + nameLength <= zip.count, Array(zip[(i + 30)..<(i + 30 + nameLength)]) == name {
                    return i + 30 + nameLength + extraLength
                }
            }
            i += 1
        }
        return nil
    }
}
